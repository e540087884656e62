"""The evidence photos, kept outside Telegram: each file named by the SHA-256 of its content, so
a file changed afterwards no longer matches its name and is reported as altered.

Three stores share one interface (MEDIA_STORE): a local directory (`local`, the single-process
default), the database (`database`: the `media_blobs` table, which every replica on one
PostgreSQL reads and which the database's backup covers) or an S3-compatible bucket (`s3`).
They are synchronous, as the disk is: photos are kept from a worker thread, and a read costs
what reading the file cost. `python -m bot media migrate --to database|s3` copies the files of
MEDIA_DIR into another store, each checked against its name.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import (
    Column,
    DateTime,
    LargeBinary,
    MetaData,
    String,
    Table,
    create_engine,
    select,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

if TYPE_CHECKING:
    from bot.config import Settings


class PhotoState(StrEnum):
    INTACT = "intact"
    ALTERED = "altered"
    MISSING = "missing"


class BlobStore:
    """Content kept once under its SHA-256."""

    def save(self, content: bytes) -> str:
        """Store the content once; returns its SHA-256, the name it is kept under."""
        raise NotImplementedError

    def read(self, digest: str) -> bytes | None:
        raise NotImplementedError

    def check(self, digest: str) -> PhotoState:
        content = self.read(digest)
        if content is None:
            return PhotoState.MISSING
        if hashlib.sha256(content).hexdigest() != digest:
            return PhotoState.ALTERED
        return PhotoState.INTACT

    def close(self) -> None:
        """Nothing held by default."""


class MediaStore(BlobStore):
    """Files under MEDIA_DIR: enough for one process (replicas each have their own disk)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, digest: str) -> Path:
        # Two levels, so no folder holds hundreds of thousands of files.
        return self.root / digest[:2] / digest

    def save(self, content: bytes) -> str:
        digest = hashlib.sha256(content).hexdigest()
        path = self.path_of(digest)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            # Written aside and renamed: a crash never leaves half a photo under a valid name.
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
            with os.fdopen(handle, "wb") as file:
                file.write(content)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)
        return digest

    def read(self, digest: str) -> bytes | None:
        path = self.path_of(digest)
        return path.read_bytes() if path.exists() else None

    def digests(self) -> Iterator[str]:
        """The names of the files kept (files being written aside excluded)."""
        for path in sorted(self.root.glob("??/*")):
            if not path.name.startswith(".") and len(path.name) == 64:
                yield path.name


media_blobs = Table(
    "media_blobs",
    MetaData(),
    Column("sha256", String(64), primary_key=True),
    Column("content", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


def synchronous_url(database_url: str) -> str:
    """The same database through a synchronous driver (psycopg, or SQLite's own)."""
    scheme, rest = database_url.split("://", 1)
    return ("postgresql+psycopg" if scheme.startswith("postgresql") else "sqlite") + "://" + rest


class DatabaseMediaStore(BlobStore):
    """The `media_blobs` table: read by every replica on the database, and in its backup."""

    def __init__(self, database_url: str) -> None:
        url = synchronous_url(database_url)
        # SQLite: wait out the bot's own writes (WAL lets readers through).
        options = {"connect_args": {"timeout": 10}} if url.startswith("sqlite") else {}
        self.engine = create_engine(url, pool_pre_ping=True, **options)

    def save(self, content: bytes) -> str:
        digest = hashlib.sha256(content).hexdigest()
        row = {"sha256": digest, "content": content, "created_at": datetime.now(UTC)}
        insert = postgresql_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
        with self.engine.begin() as connection:
            connection.execute(insert(media_blobs).values(row).on_conflict_do_nothing())
        return digest

    def read(self, digest: str) -> bytes | None:
        query = select(media_blobs.c.content).where(media_blobs.c.sha256 == digest)
        with self.engine.connect() as connection:
            return connection.execute(query).scalar_one_or_none()

    def close(self) -> None:
        self.engine.dispose()


class S3MediaStore(BlobStore):
    """An S3-compatible bucket (AWS, MinIO, Ceph...), through boto3 (`pip install
    'seizure-assistant[s3]'`); the credentials come as boto3 reads them (AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY, AWS_REGION, or the machine's role)."""

    def __init__(self, bucket: str, endpoint_url: str | None = None, prefix: str = "") -> None:
        import boto3

        self.bucket, self.prefix = bucket, prefix
        self.client = boto3.client("s3", endpoint_url=endpoint_url)

    def key_of(self, digest: str) -> str:
        return f"{self.prefix}{digest[:2]}/{digest}"

    def save(self, content: bytes) -> str:
        digest = hashlib.sha256(content).hexdigest()
        if self.read(digest) is None:
            self.client.put_object(Bucket=self.bucket, Key=self.key_of(digest), Body=content)
        return digest

    def read(self, digest: str) -> bytes | None:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.key_of(digest))
        except self.client.exceptions.NoSuchKey:
            return None
        return answer["Body"].read()


def open_media_store(settings: Settings, kind: str | None = None) -> BlobStore:
    """The store MEDIA_STORE names (or `kind`)."""
    kind = kind or settings.media_store
    if kind == "database":
        return DatabaseMediaStore(settings.database_url)
    if kind == "s3":
        assert settings.s3_bucket is not None  # the settings refuse s3 without a bucket
        return S3MediaStore(settings.s3_bucket, settings.s3_endpoint_url, settings.s3_prefix)
    return MediaStore(settings.media_dir)


@dataclass
class Migrated:
    copied: int = 0
    already_there: int = 0
    # Files whose content no longer matches their name: left where they are, not copied.
    altered: list[str] = field(default_factory=list)


def migrate_media(source: MediaStore, target: BlobStore) -> Migrated:
    """Copy every file of the local directory into `target`, each checked against its SHA-256
    before and read back after; the files stay where they are."""
    outcome = Migrated()
    for digest in source.digests():
        content = source.read(digest)
        if content is None or hashlib.sha256(content).hexdigest() != digest:
            outcome.altered.append(digest)
            continue
        if target.check(digest) is PhotoState.INTACT:
            outcome.already_there += 1
            continue
        target.save(content)
        if target.check(digest) is not PhotoState.INTACT:
            raise OSError(f"{digest} did not read back intact from the new store")
        outcome.copied += 1
    return outcome
