"""The shipped pledge's names in Chinese and English, and the demo's declared holidays.

Migration 0002 installed the default pledge and its two calendars when a name was one string, and
wrote it in English; migration 0013 made that column the Chinese form and copied it into the
English one. So a database made by the migrations alone shows "Service pledge" on Chinese pages
too, until an admin gives the Chinese names (Pledge policies, Working calendars). A migration
may not change data that admins own by now, so the seed commands, which start from an empty
database, give these rows their Chinese names here instead (README, Translation).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update

from complaints.extensions import db
from complaints.models import SlaPolicy, SlaPolicyVersion, User, WorkCalendar
from complaints.services import work_calendars

# As migration 0002 named them (English) -> (Chinese, English).
SHIPPED_POLICIES = {
    "Service pledge": ("服务承诺", "Service pledge"),
    "Service pledge: major complaints": ("服务承诺：重大投诉", "Service pledge: major complaints"),
}
# Code -> (as migration 0002 named it, Chinese, English).
SHIPPED_CALENDARS = {
    "CN": (
        "China working days (Mon-Fri 09:00-18:00, official holidays)",
        "中国工作日（周一至周五 09:00–18:00，法定节假日休息）",
        "China working days (Mon–Fri 09:00–18:00, official holidays off)",
    ),
    "24x7": ("Around the clock", "全天候", "Around the clock"),
}
SHIPPED_VERSION_NOTE = ("published pledge", ("首次公布的服务承诺", "published pledge"))

# Statutory holidays of next year the demo's admin has declared (month, day, Chinese, English):
# fixed dates under the State Council's rules, so declaring them changes no deadline.
DEMO_HOLIDAYS = ((1, 1, "元旦", "New Year's Day"), (10, 1, "国庆节", "National Day"))


def name_the_shipped_pledge() -> None:
    """Give the policies, versions and calendars migration 0002 installed their Chinese and
    English names, where they still have the names it gave them (an admin's are kept)."""
    for shipped, (chinese, english) in SHIPPED_POLICIES.items():
        db.session.execute(
            update(SlaPolicy).where(SlaPolicy.name == shipped).values(name=chinese, name_en=english)
        )
    for code, (shipped, chinese, english) in SHIPPED_CALENDARS.items():
        db.session.execute(
            update(WorkCalendar)
            .where(WorkCalendar.code == code, WorkCalendar.name == shipped)
            .values(name=chinese, name_en=english)
        )
    shipped, (chinese, english) = SHIPPED_VERSION_NOTE
    db.session.execute(
        update(SlaPolicyVersion)
        .where(SlaPolicyVersion.note == shipped, SlaPolicyVersion.created_by_id.is_(None))
        .values(note=chinese, note_en=english)
    )
    db.session.flush()


def declare_demo_holidays(admin: User, year: int) -> None:
    """Declare DEMO_HOLIDAYS of `year` on the China calendar, as `admin` would on its page."""
    calendar = db.session.scalar(select(WorkCalendar).where(WorkCalendar.code == "CN"))
    if calendar is None:
        return
    for month, day, chinese, english in DEMO_HOLIDAYS:
        work_calendars.add_calendar_day(
            calendar, day=date(year, month, day), is_working=False, note=chinese, note_en=english, actor=admin
        )
