"""Evidence photos in a store every replica reads (MEDIA_STORE=database), and the files of a
single process's MEDIA_DIR moved into it with `python -m bot media migrate`."""

from __future__ import annotations

import hashlib
import subprocess
import sys

from sqlalchemy import text

from bot.config import Settings
from bot.db.engine import create_engine
from bot.db.migrate import upgrade_database
from bot.doctor import Verdict, check_media
from bot.media import DatabaseMediaStore, MediaStore, PhotoState, S3MediaStore
from tests.faults.bot_process import PROJECT_ROOT, bot_environment

PHOTO = b"\x89PNG a sealed package, photographed at Kainda"
SEAL = b"\x89PNG the seal number, close up"


async def migrated(database_url: str) -> None:
    engine = create_engine(database_url)
    await upgrade_database(engine)
    await engine.dispose()


async def test_a_photo_kept_in_the_database_is_read_back_intact_by_another_replica(database_url):
    await migrated(database_url)
    first, second = DatabaseMediaStore(database_url), DatabaseMediaStore(database_url)
    try:
        digest = first.save(PHOTO)
        assert digest == hashlib.sha256(PHOTO).hexdigest()
        assert first.save(PHOTO) == digest  # kept once
        assert second.read(digest) == PHOTO
        assert second.check(digest) is PhotoState.INTACT
        assert second.check(hashlib.sha256(SEAL).hexdigest()) is PhotoState.MISSING

        with first.engine.begin() as connection:
            connection.execute(
                text("UPDATE media_blobs SET content = :other WHERE sha256 = :digest"),
                {"other": SEAL, "digest": digest},
            )
        assert second.check(digest) is PhotoState.ALTERED
    finally:
        first.close()
        second.close()


async def test_media_migrate_copies_the_directory_into_the_database_and_refuses_altered_files(
    database_url, tmp_path
):
    await migrated(database_url)
    local = MediaStore(tmp_path / "media")
    kept, altered = local.save(PHOTO), local.save(SEAL)
    local.path_of(altered).write_bytes(b"changed after it was kept")
    settings = {
        "DATABASE_URL": database_url,
        "MEDIA_DIR": str(tmp_path / "media"),
        "ENV_FILE": "/dev/null",
    }

    def migrate() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", "media", "migrate", "--to", "database"],
            cwd=tmp_path,
            env=bot_environment(settings, tmp_path) | {"PYTHONPATH": str(PROJECT_ROOT)},
            capture_output=True,
            text=True,
            timeout=120,
        )

    first = migrate()
    assert first.returncode == 1, first.stderr
    assert "1 photo(s) copied to the database store" in first.stdout
    assert f"not copied: {altered} does not match its SHA-256" in first.stderr
    store = DatabaseMediaStore(database_url)
    try:
        assert store.check(kept) is PhotoState.INTACT
        assert store.check(altered) is PhotoState.MISSING
    finally:
        store.close()
    # Run again (after an interruption, say): nothing is copied twice.
    again = migrate()
    assert "0 photo(s) copied to the database store, 1 already there" in again.stdout


def test_a_photo_kept_in_an_s3_bucket_is_read_back_intact_by_another_replica(monkeypatch):
    """Against moto's S3 (the bucket API as boto3 speaks it), as the Bot API against its fake."""
    from moto import mock_aws

    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        first = S3MediaStore("evidence", prefix="kainda/")
        first.client.create_bucket(Bucket="evidence")
        second = S3MediaStore("evidence", prefix="kainda/")
        digest = first.save(PHOTO)
        assert first.save(PHOTO) == digest
        assert second.read(digest) == PHOTO and second.check(digest) is PhotoState.INTACT
        assert second.check(hashlib.sha256(SEAL).hexdigest()) is PhotoState.MISSING
        first.client.put_object(Bucket="evidence", Key=first.key_of(digest), Body=SEAL)
        assert second.check(digest) is PhotoState.ALTERED


async def test_the_doctor_checks_the_shared_store_it_is_given(database_url, tmp_path):
    """`python -m bot doctor` with MEDIA_STORE=database: a problem until the table is there."""
    settings = Settings(_env_file=None, media_store="database", database_url=database_url)
    assert check_media(settings).verdict is Verdict.PROBLEM
    await migrated(database_url)
    assert check_media(settings).verdict is Verdict.OK
