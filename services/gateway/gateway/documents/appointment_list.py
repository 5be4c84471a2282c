"""A day's appointment list with its preparation, from booking's `appointment-lists` view: for
each car in arrival order the slot, the car, the driver, the jobs asked for, and whether the
appointment is confirmed, prepared and its parts ready — what the desk checks the day before."""

from __future__ import annotations

from gateway.documents.layout import MISSING, Labels, Paper, Sheet, View

LABELS: Labels = {
    "title": ("预约清单", "Appointment list"),
    "day": ("日期", "Date"),
    "advisor": ("服务顾问", "Advisor"),
    "all_advisors": ("全部", "all"),
    "count": ("预约台数", "Appointments"),
    "time": ("时间", "Time"),
    "car": ("车辆", "Car"),
    "driver": ("送修人", "Driver"),
    "jobs": ("预约项目", "Jobs"),
    "minutes": ("时长(分)", "Minutes"),
    "confirmed": ("已确认", "Confirmed"),
    "prepared": ("已准备", "Prepared"),
    "parts": ("备件", "Parts"),
    "status": ("状态", "Status"),
    "booked": ("已预约", "booked"),
    "arrived": ("已到店", "arrived"),
    "no_show": ("未到店", "no-show"),
    "cancelled": ("已取消", "cancelled"),
    "ready": ("已备齐", "ready"),
    "short": ("缺件", "short"),
    "overdue": ("确认超时", "overdue"),
    "none": ("当日无预约", "No appointments this day"),
}


def _confirmed(paper: Paper, row: View) -> str:
    if row.get("confirmations"):
        return paper.word(LABELS, "yes")
    return paper.word(LABELS, "overdue") if row.get("confirmation_overdue") else paper.word(LABELS, "no")


def _parts(paper: Paper, ready: bool | None) -> str:
    return MISSING if ready is None else paper.word(LABELS, "ready" if ready else "short")


def render(view: View, paper: Paper) -> bytes:
    day = paper.day(view.get("date"))
    sheet = Sheet(paper, paper.word(LABELS, "title"), f"{paper.word(LABELS, 'day')}: {day}", landscape=True)
    appointments = view.get("appointments", ())
    sheet.fields(
        [
            (paper.word(LABELS, "advisor"), view.get("advisor") or paper.word(LABELS, "all_advisors")),
            (paper.word(LABELS, "count"), str(len(appointments))),
        ]
    )
    rows = [
        [
            paper.clock(row.get("slot_start")),
            f"{row.get('plate', MISSING)}\n{row.get('model') or ''}".strip(),
            f"{row.get('user_name', MISSING)}\n{row.get('user_phone', '')}".strip(),
            "\n".join(row.get("jobs", ())) or MISSING,
            str(row.get("advisor_id") or MISSING),
            str(row.get("estimated_minutes", MISSING)),
            _confirmed(paper, row),
            paper.yes_no(row.get("prepared")),
            _parts(paper, row.get("parts_ready")),
            paper.code(LABELS, row.get("status")),
        ]
        for row in appointments
    ]
    if rows:
        keys = ("time", "car", "driver", "jobs", "advisor", "minutes", "confirmed", "prepared", "parts", "status")
        headings = [paper.word(LABELS, k) for k in keys]
        sheet.table(headings, rows, (7, 14, 16, 28, 11, 7, 9, 7, 7, 8), "LLLLLRCCCC")
    else:
        sheet.paragraph(paper.word(LABELS, "none"))
    return sheet.pdf()
