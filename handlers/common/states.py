"""Conversation states; their data is JSON only, so it survives the database storage."""

from aiogram.fsm.state import State, StatesGroup


class AccessForm(StatesGroup):
    name = State()
    unit = State()


class UnitForm(StatesGroup):
    code = State()
    name = State()
    kind = State()
    parent = State()


class UserUnitForm(StatesGroup):
    unit = State()


class InviteForm(StatesGroup):
    role = State()
    unit = State()


class SkipForm(StatesGroup):
    reason = State()


class QuickLogForm(StatesGroup):
    category = State()
    place = State()
    count = State()
    danger = State()


class ReturnForm(StatesGroup):
    comment = State()


class ReportForm(StatesGroup):
    # A field of a draft is asked; its answer is typed (or a location, for the place).
    answer = State()
    # A screen of a draft is shown: photos sent now are added to it.
    screen = State()


class ExportForm(StatesGroup):
    period = State()


class CustodyForm(StatesGroup):
    items = State()
    receiver_kind = State()
    receiver = State()
    purpose = State()
    seal_number = State()
    seal_photo = State()
    seal_intact = State()
    # A receiver's reason for refusing, and a giver's photo of an outside body's signed act.
    refuse_reason = State()
    act_photo = State()


class DrillForm(StatesGroup):
    scenario = State()
