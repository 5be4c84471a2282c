"""The phrases every page shares, in Chinese and in English (a test checks both have every key):
`app.` (the layout), `home.`, `error.` (one per API error code a customer can meet, with what to
do next). Each page's own phrases are in `portal.phrases.<page>`, merged here."""

from __future__ import annotations

from portal.phrases import page_phrases

MESSAGES: dict[str, dict[str, str]] = {
    "zh": {
        "app.name": "车主服务",
        "app.skip": "跳到主要内容",
        "app.language": "语言",
        "app.submit": "确定",
        "app.required": "必填",
        "home.title": "车主服务",
        "home.lead": "请使用经销商短信、邮件或官网中的链接预约保养维修、确认预约或查看报价。",
        "error.title": "出错了",
        "error.origin": "此表单不是从本页面提交的。请重新打开链接后再试。",
        "error.not_found": "找不到该页面,链接可能有误。请检查链接或致电门店。",
        "error.invalid_request": "部分内容需要修改,请查看标出的字段。",
        "error.invalid_text": "内容中有无法保存的字符,请删除后重试。",
        "error.rate_limited": "请求过于频繁,请稍等片刻再试。",
        "error.service_unavailable": "服务暂时无法访问,请稍后重试。",
        "error.database_unavailable": "服务暂时无法访问,请稍后重试。",
        "error.service_timeout": "服务未及时响应,操作可能已完成:请稍后重新打开链接查看。",
        "error.answer_lost": "未收到服务的回复,操作可能已完成:请稍后重新打开链接查看。",
        "error.concurrency_conflict": "内容刚刚有变化,请刷新页面后重试。",
        "error.link_invalid": "此链接无效。请使用门店最新发来的链接,或致电门店。",
        "error.link_expired": "此链接已过期。如需帮助,请致电门店。",
        "error.link_used": "此链接已使用过,您的选择已记录。如需更改,请致电门店。",
        "error.generic": "操作未完成(代码:{code})。请重试;如仍失败,请致电门店。",
        "error.back": "返回首页",
    },
    "en": {
        "app.name": "Customer service",
        "app.skip": "Skip to main content",
        "app.language": "Language",
        "app.submit": "OK",
        "app.required": "required",
        "home.title": "Customer service",
        "home.lead": "Use the link in your dealer's text message, e-mail or website to book a service, "
        "confirm an appointment or see an estimate.",
        "error.title": "Something went wrong",
        "error.origin": "This form was not sent from this page. Open the link again and retry.",
        "error.not_found": "This page was not found: the link may be wrong. Check it or call the dealer.",
        "error.invalid_request": "Some entries need a change: see the marked fields.",
        "error.invalid_text": "Something typed holds a character that cannot be stored: remove it and try again.",
        "error.rate_limited": "Too many requests: wait a moment and try again.",
        "error.service_unavailable": "The service cannot be reached just now; try again shortly.",
        "error.database_unavailable": "The service cannot be reached just now; try again shortly.",
        "error.service_timeout": "The service did not answer in time and may have done it: open the link "
        "again in a moment to see.",
        "error.answer_lost": "The service's answer was lost and it may have done it: open the link again "
        "in a moment to see.",
        "error.concurrency_conflict": "This has just changed: reload the page and try again.",
        "error.link_invalid": "This link is not valid. Use the latest link the dealer sent, or call the dealer.",
        "error.link_expired": "This link has expired. Call the dealer if you need help.",
        "error.link_used": "This link has been used and your choice is recorded. Call the dealer to change it.",
        "error.generic": "That did not work (code: {code}). Try again; if it keeps failing, call the dealer.",
        "error.back": "Home",
    },
}

for _language, _table in page_phrases().items():
    MESSAGES[_language].update(_table)
