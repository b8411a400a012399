"""Hypothesis strategies for hostile mail: whole messages as bytes, built the way broken clients,
spammers and careless scripts build them.

    from mimegen import messages
    @given(messages())
    def test_x(raw: bytes): ...

What they throw: nested multiparts (up to 6 deep), boundaries that are missing, never closed,
repeated or appearing inside the content; charsets that are wrong for the bytes, unknown, empty or
misspelt; 2,000-character header lines; NUL bytes; empty bodies; invalid RFC 2047 words; broken
base64 and quoted-printable; calendar parts with junk; message/rfc822 parts; subjects routed to a
real task ([MF-T1]) so the task flow sees the junk too.
"""

from __future__ import annotations

import base64
import itertools

from hypothesis import strategies as st

CHARSETS = ["utf-8", "gb2312", "gbk", "gb18030", "big5", "iso-8859-1", "us-ascii", "utf-7", "utf-16",
            "x-unknown", "unknown-8bit", "", "utf8\x00", "klingon", "windows-1252", "shift_jis", "utf-8'zh-cn'"]
ENCODINGS = ["7bit", "8bit", "base64", "quoted-printable", "binary", "x-uuencode", "base65", ""]
TEXTS = ["确认", "进行中 30%", "已完成", "收到，下周五前完成", "延期到12月1日，原因：等供应商报价", "進行中，完成了60%",
         "Done, thanks.", "", " ", "\x00", "a\x00b", "😀" * 50, "=?utf-8?B?5L2g?=", "--b0\r\n", "<html>",
         "{{ 7*7 }}", "\r\n.\r\n", "=\r\n=3D=XY", "\u202eevil\u202c", "\ufeff确认"]
SENDERS = ["张伟 <zhangwei@corp.example>", "zhangwei@corp.example", "<lina@corp.example>",
           "stranger@evil.example", "", "<>", "=?utf-8?B?!!!?= <x@y>", "\"a\r\n b\" <c@d>", "@@@",
           "王磊 <wanglei@corp.example>, 李娜 <lina@corp.example>", "undisclosed-recipients:;"]
_ids = itertools.count()


def _encoded_word(data: bytes) -> bytes:
    return b"=?" + data + b"?="


@st.composite
def header_value(draw) -> bytes:
    kind = draw(st.sampled_from(["text", "long", "rfc2047", "bad2047", "raw8bit", "nul", "empty", "folded"]))
    text = draw(st.sampled_from(TEXTS) | st.text(max_size=40))
    if kind == "text":
        return text.encode("utf-8", "surrogatepass").replace(b"\r", b"").replace(b"\n", b"")
    if kind == "long":
        return (draw(st.sampled_from(["x", "中", "a b ", "=?utf-8?Q?a?= "])) * 2000).encode()[:6000]
    if kind == "rfc2047":
        cs = draw(st.sampled_from(CHARSETS)).encode("latin-1", "replace")
        enc = draw(st.sampled_from([b"B", b"Q", b"b", b"X"]))
        payload = text.encode(draw(st.sampled_from(["utf-8", "gb18030", "big5", "utf-16"])), "replace")
        body = base64.b64encode(payload) if enc in (b"B", b"b") else payload.replace(b"?", b"=3F").replace(b" ", b"_")
        return _encoded_word(cs + b"?" + enc + b"?" + body)
    if kind == "bad2047":
        return draw(st.sampled_from([b"=?utf-8?B?!!!?=", b"=?utf-8?Q?=ZZ?=", b"=?x-unknown?Q?abc?=", b"=?utf-8?",
                                     b"=??B?5L2g?=", b"=?utf-8?B?5L2", b"=?gb2312?B?" + base64.b64encode(b"\xff\xfe\xfd")
                                     + b"?=", b"=?utf-8*zh?Q?a?= =?utf-8?B?==?=", b"=?utf-8?B?5L2g?==?utf-8?B?5aW9?="]))
    if kind == "raw8bit":
        return text.encode(draw(st.sampled_from(["gb18030", "big5", "utf-8", "utf-16"])), "replace").replace(
            b"\r", b"").replace(b"\n", b"")
    if kind == "nul":
        return b"a\x00b" + text.encode("utf-8", "replace")[:20].replace(b"\n", b"")
    if kind == "folded":
        return b"first\r\n second\r\n\tthird " + text.encode("utf-8", "replace")[:20].replace(b"\n", b"")
    return b""


@st.composite
def leaf(draw) -> bytes:
    ctype = draw(st.sampled_from(["text/plain", "text/html", "text/calendar", "application/octet-stream",
                                  "image/png", "message/rfc822", "text/plain", "", "text/x-unknown"]))
    cs = draw(st.sampled_from(CHARSETS))
    enc = draw(st.sampled_from(ENCODINGS))
    text = draw(st.sampled_from(TEXTS) | st.text(max_size=200))
    if ctype == "text/html":
        text = f"<html><body><div>{text}</div><blockquote>原邮件</blockquote>" + draw(
            st.sampled_from(["", "<" * 50, "<div>" * 200, "<script>x</script>", "&#0;&#xD800;"]))
    elif ctype == "text/calendar":
        text = draw(st.sampled_from(["BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:x\r\n",
                                     "BEGIN:VCALENDAR\r\nEND:VCALENDAR", "junk", "BEGIN:VEVENT\r\nDTSTART:99999999T\r\n"]))
    body_cs = draw(st.sampled_from(["utf-8", "gb18030", "big5", "utf-16", "latin-1"]))  # may differ from cs
    data = text.encode(body_cs, "replace")
    if enc == "base64":
        data = draw(st.sampled_from([base64.encodebytes(data), b"!!!not base64!!!", base64.b64encode(data)[:-1]]))
    elif enc == "quoted-printable":
        data = data.replace(b"=", b"=3D") + draw(st.sampled_from([b"", b"=", b"=Z9", b"=\r\n"]))
    if draw(st.booleans()):
        data = data.replace(b"\n", b"\r\n")
    head = b""
    if ctype:
        head += b"Content-Type: " + ctype.encode()
        if draw(st.booleans()):
            head += b"; charset=" + draw(st.sampled_from([b'"%s"', b"%s", b'"%s'])) % cs.encode("latin-1")
        head += b"\r\n"
    if enc:
        head += b"Content-Transfer-Encoding: " + enc.encode() + b"\r\n"
    if draw(st.booleans()):
        head += b"Content-Disposition: attachment; filename=" + header_value_simple(draw) + b"\r\n"
    return head + b"\r\n" + data


def header_value_simple(draw) -> bytes:
    return draw(st.sampled_from([b"a.txt", b"\"=?utf-8?B?5paH5Lu2?=.doc\"", b"", b"\"unterminated", b"x" * 300,
                                 b"*=utf-8''%E4%BD%A0"]))


def multipart(children: st.SearchStrategy) -> st.SearchStrategy:
    @st.composite
    def build(draw) -> bytes:
        parts = draw(st.lists(children, max_size=4))
        sub = draw(st.sampled_from(["mixed", "alternative", "related", "report", "signed", "x-unknown"]))
        boundary = draw(st.sampled_from(["b0", "=_b", "", "a" * 200, "b0", "x y", "\"quoted\""]))
        bad = draw(st.sampled_from(["ok", "ok", "no-close", "wrong-close", "no-boundary-param", "inner-clash",
                                    "no-leading", "garbage-preamble"]))
        b = boundary.strip('"').encode()
        head = b"Content-Type: multipart/" + sub.encode()
        if bad != "no-boundary-param":
            head += b'; boundary="' + b + b'"'
        body = b"\r\n"
        if bad == "garbage-preamble":
            body += b"This is a multi-part message in MIME format.\x00\r\n"
        for part in parts:
            if bad == "inner-clash":
                part = part + b"\r\n--" + b + b"\r\n"
            body += (b"" if bad == "no-leading" else b"--" + b + b"\r\n") + part + b"\r\n"
        if bad == "ok":
            body += b"--" + b + b"--\r\n"
        elif bad == "wrong-close":
            body += b"--other--\r\n"
        return head + b"\r\n" + body
    return build()


bodies = st.recursive(leaf(), multipart, max_leaves=8)


@st.composite
def messages(draw, task_ids: tuple[int, ...] = (1,)) -> bytes:
    """One whole hostile message. Message-IDs are unique unless missing or broken on purpose."""
    headers = []
    headers.append(b"From: " + draw(st.sampled_from(SENDERS).map(str.encode) | header_value()))
    headers.append(b"To: " + draw(st.sampled_from([b"mailflow@corp.example", b"", b"a@b, , ,<>",
                                                   b"=?utf-8?B?5Lya6K6u?= <mailflow@corp.example>"])))
    subject = draw(header_value())
    if draw(st.booleans()):
        subject = b"Re: [MF-T%d] " % draw(st.sampled_from(task_ids)) + subject
    headers.append(b"Subject: " + subject)
    mid = draw(st.sampled_from(["unique", "unique", "unique", "missing", "broken", "huge"]))
    if mid == "unique":
        headers.append(b"Message-ID: <fuzz-%d@client.example>" % next(_ids))
    elif mid == "broken":
        headers.append(b"Message-ID: " + draw(st.sampled_from([b"<<>>", b"", b"no-brackets", b"<a b c>"]))
                       + b" %d" % next(_ids))
    elif mid == "huge":
        headers.append(b"Message-ID: <" + b"m" * 2000 + b"%d@x>" % next(_ids))
    if draw(st.booleans()):
        headers.append(b"In-Reply-To: " + draw(header_value()))
    if draw(st.booleans()):
        headers.append(b"References: " + b" ".join(b"<r%d@x>" % i for i in range(draw(st.integers(0, 300)))))
    headers.append(b"Date: " + draw(st.sampled_from([b"Fri, 20 Nov 2026 10:00:00 +0800", b"yesterday", b"",
                                                     b"Fri, 31 Feb 2026 25:61:61 +9999", b"0"])))
    if draw(st.booleans()):
        headers.append(b"X-Long: " + b"y" * 2000)
    if draw(st.booleans()):
        headers.append(draw(st.sampled_from([b"Auto-Submitted: auto-replied", b"MIME-Version: 1.0",
                                             b"MIME-Version: 9", b"Precedence: bulk", b"Content-Type: text/plain",
                                             b"Authentication-Results: mx; dmarc=fail", b": no name",
                                             b"NoColonHeader", b"X-\x00: nul"])))
    eol = draw(st.sampled_from([b"\r\n", b"\n", b"\r\n"]))
    head = eol.join(h.replace(b"\r\n", eol) if b"\r\n " in h or b"\r\n\t" in h else h for h in headers)
    body = draw(bodies)
    if draw(st.integers(0, 9)) == 0:
        body = draw(st.sampled_from([b"", b"\r\n", b"\x00" * 64]))
    return head + eol + body
