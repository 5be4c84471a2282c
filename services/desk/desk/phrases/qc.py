"""The QC inspector's list; the workshop's refusals of a check."""

from __future__ import annotations

PHRASES = {
    "zh": {
        "nav.qc": "质检",
        "qc.title": "质检",
        "qc.done.passed": "质检通过:车辆可交车。",
        "qc.done.failed": "质检未通过:已退回技师返工。",
        "qc.awaiting": "待质检车辆",
        "qc.none": "暂无待质检车辆。",
        "qc.promised": "承诺交车 {promised}",
        "qc.concerns": "客户描述(原话):逐项确认已解决",
        "qc.jobs": "不合格需返工的作业",
        "qc.rework_job": "{job}(技师 {technician})",
        "qc.reasons": "不合格原因(每行一条)",
        "qc.pass": "质检通过",
        "qc.fail": "不合格,退回返工",
        "qc.reworking": "返工中的车辆",
        "qc.rework_jobs": "返工作业",
        "error.work_not_finished": "还有作业未完工,不能质检。",
        "error.customer_decision_pending": "增项正在等待客户决定:请等服务顾问记录客户的决定后再质检。",
        "error.rework_of_unfinished_job": "只能退回已完工的作业返工。",
    },
    "en": {
        "nav.qc": "Quality check",
        "qc.title": "Quality check",
        "qc.done.passed": "Passed: the car is ready for delivery.",
        "qc.done.failed": "Failed: sent back to the technician for rework.",
        "qc.awaiting": "Cars awaiting QC",
        "qc.none": "No car is waiting for QC.",
        "qc.promised": "promised {promised}",
        "qc.concerns": "The concerns, in the customer's words: check each is fixed",
        "qc.jobs": "Jobs to rework if it fails",
        "qc.rework_job": "{job} (technician {technician})",
        "qc.reasons": "Reasons it fails (one a line)",
        "qc.pass": "Pass",
        "qc.fail": "Fail and send back",
        "qc.reworking": "Cars back in rework",
        "qc.rework_jobs": "Rework jobs",
        "error.work_not_finished": "Some jobs are not finished yet: check once they are.",
        "error.customer_decision_pending": "Additional work waits for the customer's decision: check once the "
        "advisor has recorded it.",
        "error.rework_of_unfinished_job": "Only a finished job can be sent back for rework.",
    },
}
