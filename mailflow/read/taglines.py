"""Taglines: the short line a client or app writes under a mail to say what it was sent from
("发自我的iPhone", "從我的 iPad 傳送", "Sent from my Galaxy", "来自网易邮箱大师", "签名由 X 定制",
"Get Outlook for Android"). Pure, no I/O. Recognised by shape (a "sent from" frame around a device,
app or product word), not by a list of products. quotes cuts the new text above the first one;
signature recognises the block of name and contact lines, a different grammar.
"""

from __future__ import annotations

import re

__all__ = ["find_tagline", "is_tagline"]

# "发自/来自/寄自 (我的) <device or app>": the thing named is the sender's, or visibly a product
# (Latin letters, or a word for a phone, a mailbox, a client)
_FROM_DEVICE_RE = re.compile(
    r"^[(<\[（]?\s*(?:发自|發自|来自|來自|寄自|发送自|發送自|傳送自|送自)\s*(我的)?\s*"
    r"(?P<thing>[\w .\-+()（）]{1,30}?)\s*[)>\]）]?$", re.IGNORECASE)
_DEVICE_WORD_RE = re.compile(
    r"[A-Za-z]|手机|手機|邮箱|郵箱|邮件|郵件|客户端|客戶端|平板|电脑|電腦|设备|設備|裝置|大师|大師|版$|"
    r"钉钉|釘釘|飞书|飛書|企业微信|企業微信|微信")
_MY_DEVICE_SENT_RE = re.compile(r"^(?:从|從|由)我的\s*\S[\w .\-+()（）]{0,24}?\s*(?:发送|發送|傳送|寄出)$")
# "从 Windows 版邮件发送": from a named product (Latin letters or a device word, as above)
_FROM_X_SENT_RE = re.compile(r"^(?:从|從)\s*(?P<thing>[\w .\-+()（）]{1,24}?)\s*(?:发送|發送|傳送)$")
_LEAD_MARKS_RE = re.compile(r"^[-—–_~=*·•\s]+")
_SENT_FROM_RE = re.compile(
    r"^(?:sent|envoyé|gesendet|enviado|inviato|sendt|skickat|verzonden|wysłane|отправлено)\s+"
    r"(?:from|with|via|by|using|on|depuis|à partir de|de|von|desde|da|fra|från|met|vanaf|z|с)\s+"
    r"(?:my\s+|mon\s+|mein(?:em)?\s+)?[\w .'’\-()\[\]/:+]{1,50}?(?:,\s*please excuse.{0,40})?$", re.IGNORECASE)
_VON_MEINEM_RE = re.compile(r"^von meinem [\w .\-]{1,40} gesendet$", re.IGNORECASE)
_GET_APP_RE = re.compile(
    r"^(?:get|download|获取|獲取|取得|下载|下載)\s*\[?\s*[\w .\-]{1,30}?\s*(?:for|適用於|适用于|on)\s*"
    r"(?:ios|android|iphone|ipad|windows|mac)[\w \-]{0,10}\]?$", re.IGNORECASE)
_APP_FOR_OS_RE = re.compile(r"^[\w .\-]{1,20}\s+for\s+(?:ios|android)$", re.IGNORECASE)
_SIGNED_BY_RE = re.compile(r"^(?:签名由|簽名由|signature by|powered by)\s*\S.{0,28}?\s*(?:定制|定製|提供|生成)?$",
                           re.IGNORECASE)
_TRAILER_RE = re.compile(r"\s*(?:<[^<>\s]{1,200}>|\([^()\s]{1,200}\)|https?://\S{1,200})\s*$")


# the words a tagline starts with (after an optional bracket): a cheap test before the shapes
_TAGLINE_START_RE = re.compile(
    r"^[-—–_~=*·•\s]*[(<\[（【「]?\s*(?:发自|發自|来自|來自|寄自|发送自|發送自|傳送自|送自|从|從|由我的|sent|envoy|gesendet|"
    r"enviado|inviato|sendt|skickat|verzonden|wysłane|отправлено|von meinem|get|download|获取|獲取|取得|下载|下載|"
    r"签名由|簽名由|signature by|powered by|[\w .\-]{1,20}\s+for\s+(?:ios|android))", re.IGNORECASE)


def is_tagline(line_n: str) -> bool:
    """One normalised line is a "sent from" tagline."""
    if not line_n or len(line_n) > 90 or not _TAGLINE_START_RE.match(line_n):
        return False
    s = _LEAD_MARKS_RE.sub("", line_n).strip(" ()<>[]（）【】「」")   # "(来自QQ邮箱)", "—— 来自飞书"
    s = _TRAILER_RE.sub("", s).strip(" ()<>[]（）【】「」")
    if not s or "：" in s or (":" in s and not _SENT_FROM_RE.match(s)):
        return False
    m = _FROM_DEVICE_RE.match(s)
    if m:
        return bool(m.group(1)) or bool(_DEVICE_WORD_RE.search(m.group("thing")))
    m = _FROM_X_SENT_RE.match(s)
    if m and not s.startswith(("从我的", "從我的")):
        return bool(_DEVICE_WORD_RE.search(m.group("thing")))
    return bool(_MY_DEVICE_SENT_RE.match(s) or _SENT_FROM_RE.match(s) or _VON_MEINEM_RE.match(s)
                or _GET_APP_RE.match(s) or _APP_FOR_OS_RE.match(s) or _SIGNED_BY_RE.match(s))


def find_tagline(lines_n: list[str]) -> int | None:
    """The index of the first tagline line (the new text ends above it), or None."""
    for idx, ln in enumerate(lines_n):
        if ln and is_tagline(ln):
            return idx
    return None
