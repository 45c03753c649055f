"""Personal data in the free text of a return: find it, describe it masked, redact it.

Completed returns are about organisations and are shared between partners, so no answer,
evidence box or detail should identify a child or a family. :func:`scan` reads one piece of
free text and returns a :class:`Finding` for each piece of personal data it recognises:

========================  =======================================================================
kind (stable id)          recognised
========================  =======================================================================
``nhs-number``            ten digits (``943 476 5870``, ``943-476-5870``, ``9434765870``) that
                          pass the NHS modulus-11 check
``ni-number``             National Insurance numbers: two prefix letters under HMRC's rules, six
                          digits, the suffix letter A–D (or none)
``pupil-number``          unique pupil numbers: 13 characters with a correct check letter
``postcode``              full UK postcodes (``SW1A 1AA``); an outward code alone is not flagged
``phone-number``          UK phone numbers (``+44``, ``0044`` or a leading ``0``)
``email-address``         e-mail addresses other than the respondent's own (``allowed_emails``)
``date-of-birth``         a date in a birth context ("DOB", "date of birth", "born on", next to
                          an age such as "aged 7"), never every date
``named-person``          a child or family member named in a sentence ("his mother Sarah
                          Smith", "Jayden, aged 7,", "Amira's brother", "a boy called Tom");
                          pseudonyms such as "Child A" and role words are not names
========================  =======================================================================

The detector is rule-based: checksums where the identifier has one (python-stdnum's NHS
check and UPN check letter), the numbering plan for phone numbers (phonenumbers), our own
patterns for the rest. Nothing is downloaded and no language model is used. Both libraries
are imported on first use, so importing this module stays cheap.

A finding never holds the text it found: its ``masked`` rendering (``943 *** ****``) keeps at
most a short, non-identifying prefix and is what messages show. :func:`redact` replaces the
spans (``[NHS number removed]``); it is pure and deterministic.
"""

from __future__ import annotations

import bisect
import enum
import functools
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal

import attrs

__all__ = [
    "Confidence",
    "Finding",
    "Kind",
    "mask",
    "might_hold",
    "redact",
    "scan",
]

Confidence = Literal["high", "medium", "low"]
_CONFIDENCE_RANK: dict[str, int] = {"high": 0, "medium": 1, "low": 2}


class Kind(enum.Enum):
    """A kind of personal data. ``id`` is stable (later diagnostics and tools match on it)."""

    NHS_NUMBER = ("nhs-number", "NHS number", "NHS number")
    NI_NUMBER = ("ni-number", "National Insurance number", "National Insurance number")
    PUPIL_NUMBER = ("pupil-number", "unique pupil number", "pupil number")
    POSTCODE = ("postcode", "postcode", "postcode")
    PHONE_NUMBER = ("phone-number", "phone number", "phone number")
    EMAIL_ADDRESS = ("email-address", "e-mail address", "e-mail address")
    DATE_OF_BIRTH = ("date-of-birth", "date of birth", "date of birth")
    NAMED_PERSON = ("named-person", "named child or family member", "name")

    @property
    def id(self) -> str:
        """The stable id, e.g. ``nhs-number``."""
        return self.value[0]

    @property
    def label(self) -> str:
        """How a message names this kind: ``NHS number``."""
        return self.value[1]

    @property
    def replacement(self) -> str:
        """What :func:`redact` writes in place of a span: ``[NHS number removed]``."""
        return f"[{self.value[2]} removed]"

    @classmethod
    def by_id(cls, kind_id: str) -> Kind:
        """The kind with this stable id (``KeyError`` if there is none)."""
        for kind in cls:
            if kind.id == kind_id:
                return kind
        raise KeyError(kind_id)


def _check_span(instance: Finding, attribute: attrs.Attribute[int], value: int) -> None:
    if value < 0 or (attribute.name == "end" and value <= instance.start):
        raise ValueError(f"a finding's span must be 0 <= start < end, not {attribute.name}={value}")


@attrs.frozen
class Finding:
    """One piece of personal data in a text: what kind, where, how it is shown, how sure.

    ``start`` and ``end`` are offsets into the scanned text (``text[start:end]`` is the span).
    ``masked`` is the span with the identifying characters replaced by ``*``; ``message`` adds
    the kind's label (``NHS number 943 *** ****``). The finding does not hold the span's text.
    """

    kind: Kind
    start: int = attrs.field(validator=_check_span)
    end: int = attrs.field(validator=_check_span)
    masked: str
    confidence: Confidence = attrs.field(validator=attrs.validators.in_(("high", "medium", "low")))
    reason: str = attrs.field()

    @property
    def span(self) -> tuple[int, int]:
        return (self.start, self.end)

    @property
    def message(self) -> str:
        """The kind and the masked span, for a warning: ``NHS number 943 *** ****``."""
        return f"{self.kind.label} {self.masked}"

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind.id,
            "start": self.start,
            "end": self.end,
            "masked": self.masked,
            "confidence": self.confidence,
            "reason": self.reason,
        }


# -- masking ---------------------------------------------------------------------------------------


def mask(span: str, keep: int = 0) -> str:
    """``span`` with every letter and digit after the first ``keep`` replaced by ``*``.

    Separators (spaces, hyphens, brackets, ``@``, dots) stay, so the shape is still readable.
    At least one letter or digit is always masked, whatever ``keep`` is.
    """
    alnum = sum(ch.isalnum() for ch in span)
    keep = max(0, min(keep, alnum - 1))
    out: list[str] = []
    seen = 0
    for ch in span:
        if ch.isalnum():
            out.append(ch if seen < keep else "*")
            seen += 1
        else:
            out.append(ch)
    return "".join(out)


def _mask_words(span: str) -> str:
    """Names: the initial of each word stays (``Sarah Smith`` → ``S**** S****``)."""
    return " ".join(mask(word, 1) for word in span.split())


def _mask_email(span: str) -> str:
    local, _, domain = span.rpartition("@")
    return f"{mask(local, 1)}@{domain}"


def _mask_postcode(span: str) -> str:
    compact = re.sub(r"\s", "", span)
    outward = compact[:-3]
    return f"{outward} {mask(compact[-3:])}"


# -- shared patterns and context -------------------------------------------------------------------

_SEP = "[ \u00a0\u2009\u202f]"  # a space inside a number: ordinary, no-break, thin
_DASH = "[-\u2010\u2011\u2012\u2013]"

# Labels that say a number is something else: "order 1234567890", "ISBN 0-19-…".
_OTHER_LABEL = re.compile(
    r"\b(?:order|invoice|inv|po|purchase\s+order|account|acct|a/c|sort\s+code|receipt|"
    r"transaction|tracking|booking|serial|ticket|isbn|issn|licen[cs]e|certificate|cert|"
    r"dbs|urn|ukprn|laestab|dfe|company|charity|registration|reg|vat|reference|ref|job|"
    r"batch|item|product|sku|part|claim|contract|grant|asset|barcode|membership|customer|"
    r"supplier|quote|quotation|voucher|payroll|employee|staff|budget|cost\s+centre)"
    r"(?:\s+(?:no|number|num|nr|id|code|ref|tag))?\.?\s*(?:[:#]|is|was|=)?\s*$",
    re.IGNORECASE,
)

_BLOCKING = re.compile(r"(?:https?://|www\.)[^\s<>\"')\]]+", re.IGNORECASE)
_EMAIL = re.compile(
    r"(?<![\w.+'%-])[A-Za-z0-9][A-Za-z0-9._%+'-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+(?![\w-])"
)


def _before(text: str, start: int, width: int = 40) -> str:
    """Up to ``width`` characters before ``start``, on the same line."""
    window = text[max(0, start - width) : start]
    return window.rsplit("\n", 1)[-1]


def _labelled_otherwise(text: str, start: int) -> bool:
    return _OTHER_LABEL.search(_before(text, start, 32)) is not None


_MAX_END = sys.maxsize


def _merge(spans: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


@attrs.frozen
class _Context:
    text: str
    allowed_emails: frozenset[str]
    allowed_phones: frozenset[str]
    blocked: tuple[tuple[int, int], ...]

    def is_blocked(self, start: int, end: int) -> bool:
        """Whether ``start``-``end`` overlaps a blocked span (sorted, not overlapping)."""
        i = bisect.bisect_right(self.blocked, (start, _MAX_END))
        before = self.blocked[i - 1] if i else None
        after = self.blocked[i] if i < len(self.blocked) else None
        return (before is not None and before[1] > start) or (after is not None and after[0] < end)


# -- lazily imported libraries ---------------------------------------------------------------------

_modules: dict[str, Any] = {}


def _lib(name: str) -> Any:
    """Import a library on first use (python-stdnum, phonenumbers): start-up stays cheap."""
    module = _modules.get(name)
    if module is None:
        import importlib

        module = _modules[name] = importlib.import_module(name)
    return module


# -- NHS numbers -----------------------------------------------------------------------------------

_NHS = re.compile(
    rf"(?<![\w+])(?<![0-9][-./])([0-9]{{3}})((?:{_SEP}|{_DASH})?)([0-9]{{3}})\2([0-9]{{4}})"
    rf"(?![\w])(?!{_DASH}[0-9])"
)
_PHONE_PREFIX = re.compile(r"(?:(?:\+|\b00)[ \u00a0]?44[ \u00a0]?|\(0\)[ \u00a0]?)$")
_NHS_CONTEXT = re.compile(r"\bnhs\b|\bchi\b|health\s+(?:service\s+)?(?:no|number)", re.IGNORECASE)


def _nhs(ctx: _Context) -> Iterable[Finding]:
    text = ctx.text
    for m in _NHS.finditer(text):
        digits = m.group(1) + m.group(3) + m.group(4)
        if not _lib("stdnum.gb.nhs").is_valid(digits):
            continue
        start, end = m.span()
        if _PHONE_PREFIX.search(_before(text, start, 12)):
            continue  # "+44 (0)118 438 5238": the end of a phone number
        context = _NHS_CONTEXT.search(_before(text, start, 60)) is not None
        if not context and (digits[0] == "0" or _labelled_otherwise(text, start)):
            continue  # a phone number (phone detector), or labelled as something else
        if context:
            confidence: Confidence = "high"
            reason = "ten digits after a mention of NHS, passing the NHS modulus-11 check"
        elif m.group(2):
            confidence = "high"
            reason = "ten digits in the NHS 3-3-4 layout, passing the NHS modulus-11 check"
        else:
            confidence = "medium"
            reason = "ten digits that pass the NHS modulus-11 check"
        yield Finding(Kind.NHS_NUMBER, start, end, mask(m.group(), 3), confidence, reason)


# -- National Insurance numbers --------------------------------------------------------------------

# HMRC's rules (National Insurance Manual NIM39110): D, F, I, Q, U and V are never a prefix
# letter, O is never the second; BG, GB, KN, NK, NT, TN and ZZ are not allocated; the suffix is
# A, B, C or D.
_NINO = re.compile(
    rf"(?<![\w])(?!(?:BG|GB|KN|NK|NT|TN|ZZ))([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z])"
    rf"(?:{_SEP}|{_DASH})?([0-9]{{2}})(?:{_SEP}|{_DASH})?([0-9]{{2}})(?:{_SEP}|{_DASH})?"
    rf"([0-9]{{2}})(?:(?:{_SEP}|{_DASH})?([A-D]))?(?![\w])",
    re.IGNORECASE,
)
_NINO_CONTEXT = re.compile(r"national\s+insurance|\bni\b|\bnino\b|\bnin\b", re.IGNORECASE)


def _nino(ctx: _Context) -> Iterable[Finding]:
    text = ctx.text
    for m in _NINO.finditer(text):
        start, end = m.span()
        context = _NINO_CONTEXT.search(_before(text, start, 50)) is not None
        suffix = m.group(5)
        if context:
            confidence: Confidence = "high"
            reason = "National Insurance number layout after a mention of National Insurance"
        elif not suffix or _labelled_otherwise(text, start):
            continue  # two letters and six digits alone are a common reference layout
        elif m.group().isupper():
            confidence = "high"
            reason = "two prefix letters HMRC allocates, six digits and a suffix letter A-D"
        else:
            confidence = "medium"
            reason = "National Insurance number layout in lower case"
        yield Finding(Kind.NI_NUMBER, start, end, mask(m.group(), 2), confidence, reason)


# -- unique pupil numbers --------------------------------------------------------------------------

_UPN_ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ"  # 23 letters: no I, O or S
_UPN = re.compile(
    rf"(?<![\w])([{_UPN_ALPHABET}]){_SEP}?([0-9]{{3}}){_SEP}?([0-9]{{4}}){_SEP}?([0-9]{{2}})"
    rf"{_SEP}?([0-9]{{2}}[0-9{_UPN_ALPHABET}])(?![\w])",
    re.IGNORECASE,
)


def _upn(ctx: _Context) -> Iterable[Finding]:
    text = ctx.text
    for m in _UPN.finditer(text):
        compact = "".join(m.groups()).upper()
        # Only the check letter: python-stdnum's list of local-authority numbers is from 2011
        # and rejects newer authorities, so its full validate() would miss real numbers.
        if _lib("stdnum.gb.upn").calc_check_digit(compact[1:]) != compact[0]:
            continue
        start, end = m.span()
        if _labelled_otherwise(text, start) and "pupil" not in _before(text, start).lower():
            continue
        reason = "13 characters in the unique pupil number layout with a correct check letter"
        temporary = compact[-1].isalpha()
        if temporary:
            reason = reason.replace("unique pupil number", "temporary pupil number")
        yield Finding(Kind.PUPIL_NUMBER, start, end, mask(m.group(), 1), "high", reason)


# -- postcodes -------------------------------------------------------------------------------------

# The outward code's letters by position (Royal Mail's rules): the first letter is not Q, V or
# X; the second not I, J or Z; a third-position letter one of ABCDEFGHJKPSTUW; a fourth one of
# ABEHMNPRVWXY. The inward code's letters are never C, I, K, M, O or V.
_POSTCODE = re.compile(
    r"(?<![\w])(GIR ?0AA|(?:[A-PR-UWYZ][0-9][0-9]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?|"
    r"[A-PR-UWYZ][0-9][A-HJKPSTUW]|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY])"
    rf"{_SEP}?[0-9][ABD-HJLNP-UW-Z]{{2}})(?![\w])",
    re.IGNORECASE,
)


def _postcode(ctx: _Context) -> Iterable[Finding]:
    for m in _POSTCODE.finditer(ctx.text):
        span = m.group()
        spaced = not span.isalnum()
        if span.isupper() or span.upper() == span:
            confidence: Confidence = "high" if spaced else "medium"
        elif spaced:
            confidence = "medium"
        else:
            continue  # "ab12cd" in lower case without a space is too weak a signal
        reason = "a full UK postcode (outward and inward code)"
        yield Finding(Kind.POSTCODE, *m.span(), _mask_postcode(span), confidence, reason)


# -- phone numbers ---------------------------------------------------------------------------------

_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)[ \u00a0]?44[ \u00a0]?(?:\(0\)[ \u00a0]?)?|\(?0)"
    r"[1-9](?:[ \u00a0().\u2010-\u2013-]{0,2}[0-9]){6,10}(?![0-9])"
)
_DATE_LIKE = re.compile(r"^\(?[0-9]{1,2}[./-][0-9]{1,2}[./-][0-9]{2,4}$")
_PHONE_SPLIT = re.compile(r"[ \u00a0().\u2010-\u2013-]+(?=[0-9]+$)")


def _phone_digits(number: Any) -> str:
    return f"+{number.country_code}{number.national_number}"


def _phone_candidates(span: str) -> Iterable[str]:
    """The span, then the span less its last group of digits, and so on (``0161 496 0000 2``)."""
    while True:
        yield span
        cut = _PHONE_SPLIT.search(span)
        if cut is None:
            return
        span = span[: cut.start()]
        if sum(ch.isdigit() for ch in span) < 7:
            return


def _phone(ctx: _Context) -> Iterable[Finding]:
    text = ctx.text
    for m in _PHONE.finditer(text):
        if _DATE_LIKE.match(m.group()) or _labelled_otherwise(text, m.start()):
            continue
        pn = _lib("phonenumbers")
        for candidate in _phone_candidates(m.group()):
            candidate = candidate.rstrip(" \u00a0(.-")
            try:
                number = pn.parse(candidate, "GB")
            except pn.NumberParseException:
                continue
            if number.country_code != 44:
                break
            digits = _phone_digits(number)
            valid = pn.is_valid_number(number)
            national = len(str(number.national_number))
            if not valid and not (national in (9, 10) and pn.is_possible_number(number)):
                continue
            if digits in ctx.allowed_phones:
                break
            start = m.start()
            end = start + len(candidate)
            if valid:
                kind = pn.number_type(number)
                if kind in (pn.PhoneNumberType.TOLL_FREE, pn.PhoneNumberType.UAN) or str(
                    number.national_number
                ).startswith(("3", "8")):
                    confidence: Confidence = "low"
                    reason = "a UK freephone or non-geographic number (often an organisation's)"
                else:
                    confidence = "high"
                    reason = "a UK phone number (an allocated landline or mobile range)"
            else:
                confidence = "medium"
                reason = "the shape of a UK phone number, in a range not allocated to a line"
            yield Finding(
                Kind.PHONE_NUMBER, start, end, mask(text[start:end], 4), confidence, reason
            )
            break


# -- e-mail addresses ------------------------------------------------------------------------------

_ROLE_MAILBOX_WORDS = (
    "safeguarding info admin office enquiries enquiry dsl mash lado reception contact hello "
    "headteacher head school clerk governors governance hr finance support help team "
    "childprotection designated.safeguarding"
)
_ROLE_MAILBOXES = frozenset(_ROLE_MAILBOX_WORDS.split())


def _email(ctx: _Context) -> Iterable[Finding]:
    for m in _EMAIL.finditer(ctx.text):
        address = m.group()
        if address.casefold() in ctx.allowed_emails:
            continue
        local = address.rpartition("@")[0].casefold()
        if local in _ROLE_MAILBOXES:
            confidence: Confidence = "medium"
            reason = "an e-mail address that looks like a role mailbox; check it names nobody"
        else:
            confidence = "high"
            reason = "an e-mail address that is not the respondent's own contact"
        yield Finding(Kind.EMAIL_ADDRESS, *m.span(), _mask_email(address), confidence, reason)


# -- dates of birth --------------------------------------------------------------------------------

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DAY = r"(?:0?[1-9]|[12][0-9]|3[01])"
_YEAR = r"(?:19|20)[0-9]{2}"
_DATE = re.compile(
    rf"(?<![\w/.-])(?:"
    rf"{_DAY}[/.-](?:0?[1-9]|1[0-2])[/.-](?:{_YEAR}|[0-9]{{2}})"
    rf"|{_YEAR}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
    rf"|{_DAY}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\.?,?\s+{_YEAR}"
    rf"|{_MONTH}\.?\s+{_DAY}(?:st|nd|rd|th)?,?\s+{_YEAR}"
    rf"|(?P<monthyear>{_MONTH}\s+{_YEAR})"
    rf")(?![\w/-])(?!\.[0-9])",
    re.IGNORECASE,
)
_BIRTH_CUE = re.compile(
    r"(?:(?:\bd\.?\s?o\.?\s?b\b\.?|\bdate\s+of\s+birth\b|\bbirth\s*date\b|\bborn\b)"
    r"[^.;!?\n]{0,28}|\bbirthday(?:\s+(?:is|was|on|falls\s+on))?\s*[:\-–]?\s*)$",
    re.IGNORECASE,
)
_BORN_IN = re.compile(r"\bborn\s+(?:in\s+)?$", re.IGNORECASE)
_BIRTH_CUE_AFTER = re.compile(r"^\s*[(\[]?\s*(?:d\.?\s?o\.?\s?b\b|date\s+of\s+birth)", re.I)
_AGE = r"(?:\baged?\s+[0-9]{1,2}\b(?!\s*(?:-|–|to|or|and|\+)\s*[0-9o])(?!\s+(?:or|and)\s+(?:over|above|under))|\b[0-9]{1,2}[ -]?(?:years?|yrs?)[ -]?old\b)"  # noqa: E501
_AGE_BEFORE = re.compile(_AGE + r"[\s,;:()\[\]–-]{0,6}(?:born\s+)?(?:on\s+)?$", re.IGNORECASE)
_AGE_AFTER = re.compile(r"^[\s,;:()\[\]–-]{0,6}" + _AGE, re.IGNORECASE)


def _dob(ctx: _Context) -> Iterable[Finding]:
    text = ctx.text
    for m in _DATE.finditer(text):
        start, end = m.span()
        before = _before(text, start, 50)
        # The cue must be nearer than any other date before this one.
        last_date = None
        for other in _DATE.finditer(before):
            last_date = other
        if last_date is not None:
            before = before[last_date.end() :]
        if m.group("monthyear"):
            if not _BORN_IN.search(before):
                continue  # "March 2016" alone is a date of birth only right after "born"
            confidence: Confidence = "medium"
            reason = "a month and year right after 'born'"
        elif _BIRTH_CUE.search(before) or _BIRTH_CUE_AFTER.match(text[end : end + 20]):
            confidence = "high"
            reason = "a date after 'date of birth', 'DOB', 'born' or 'birthday'"
        elif _AGE_BEFORE.search(before) or _AGE_AFTER.match(text[end : end + 30]):
            confidence = "medium"
            reason = "a date next to a child's age"
        else:
            continue
        yield Finding(Kind.DATE_OF_BIRTH, start, end, mask(m.group()), confidence, reason)


# -- named children and family members -------------------------------------------------------------

_UP = "A-ZÀ-ÖØ-ÞĀĂĄĆČĎĐĒĖĘĚĞĪİŁŃŇŌŐŒŘŚŞŠŢŤŪŮŰŸŹŻŽ"
_LOW = "a-zß-öø-ÿāăąćčďđēėęěğīıłńňōőœřśşšţťūůűźżž"
_TOKEN = rf"(?:[{_UP}][{_LOW}]?['’])?[{_UP}][{_LOW}]+(?:[{_UP}][{_LOW}]+)?(?:-[{_UP}][{_LOW}]+)?"
_TITLE = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?"
_NAME = rf"(?:{_TITLE}\s+)?{_TOKEN}(?:[ \u00a0]{_TOKEN}){{0,2}}"

_KIN_WORDS = (
    "mother|mum|mummy|mom|father|dad|daddy|step-?mother|step-?father|step-?mum|step-?dad|"
    "parent|carer|foster\\s+carer|guardian|grandmother|grandma|gran|granny|nan|nana|nanna|"
    "grandfather|grandad|granddad|grandpa|brother|sister|half-brother|half-sister|"
    "step-?brother|step-?sister|sibling|twin|aunt|auntie|aunty|uncle|cousin|niece|nephew|son|"
    "daughter|step-?son|step-?daughter|child|baby|infant|toddler|boy|girl|pupil|student|"
    "learner|young\\s+person|partner|ex-partner|boyfriend|girlfriend|husband|wife"
)
_KIN_POSSESSED = (
    "mother|mum|mummy|mom|father|dad|daddy|step-?mother|step-?father|step-?mum|step-?dad|"
    "parents?|carers?|guardian|grandmother|grandma|gran|granny|nan|nana|grandfather|grandad|"
    "granddad|grandpa|brothers?|sisters?|half-brother|half-sister|siblings?|twin|aunt|auntie|"
    "uncle|cousins?|niece|nephew|sons?|daughters?|baby|partner|boyfriend|girlfriend|husband|"
    "wife|family"
)

# Capitalised words that are not names: sentence openers, role words, services, policies.
_NOT_NAME_WORDS = """
    a an the this that these those he she they we i it its his her their our your my me us
    them who whom whose which what when where while why how if and but or nor so yet also as
    at in on of for with from to by after before during all any each every no not none some
    both either neither following since until unless yes there here then than once please
    however although though because therefore thus further furthermore moreover meanwhile
    child children pupil pupils student students learner learners young person people parent
    parents carer carers family families mother father mum dad brother sister sibling siblings
    boy boys girl girls baby babies adult adults volunteer volunteers staff member members
    apprentice apprentices trainee trainees participant participants visitor visitors user
    users player players teenager teenagers infant infants toddler toddlers anyone everyone
    someone nobody designated safeguarding lead leads deputy officer officers manager managers
    head heads headteacher headteachers teacher teachers governor governors trustee trustees
    chair chairs social worker workers nurse nurses doctor school schools academy academies
    trust trusts council councils authority authorities local police health team teams service
    services board boards partnership partnerships panel committee department ofsted nhs dsl
    ddsl lado mash senco camhs kcsie dbs early help prevent channel operation encompass
    protection plan plans policy policies procedure procedures code conduct act acts guidance
    standard standards section sections working together keeping safe education behaviour
    safety online whistleblowing allegations allegation against management relationships
    sex health attendance exclusion exclusions annex appendix part chapter paragraph year
    years reception nursery primary secondary college sixth form key stage class form tutor
    pastoral support inclusion welfare wellbeing mental first aid medical record records
    report reports review reviews audit audits action actions note notes case cases
    referral referrals strategy meeting meetings conference conferences core group child's
    looked after virtual leaving care care leaver leavers foster fostering adoption
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday christmas easter summer autumn
    winter spring term half holiday holidays england english wales welsh british uk london
    north south east west northern southern eastern western central greater county city town
    borough district street road lane avenue drive close way place park hill green centre
    hub unit network forum court hospital clinic surgery church mosque temple club society
    charity charities project programme group groups mr mrs ms miss mx dr sir madam lady lord
    st saint first second third new old other another same several many most more few
    premium advocacy voice parliament ambassador ambassadors leader leaders mentor mentors
    champion champions passport profile grant funding rep representative survey
    questionnaire link liaison engagement participation agreement contract handbook charter
    pledge council's award awards scheme schemes commissioner ombudsman tribunal
    level levels tier tiers step steps phase phases grade grades band bands option options
    priority question questions item items point points allowance benefit benefits credit
    """
_NOT_NAMES = frozenset(_NOT_NAME_WORDS.split())
# Words that are also common surnames, accepted after a first name ("Lewis Green").
_SURNAME_WORD_TEXT = (
    "green hill wood hall park lane young north west east south may march church lord little "
    "field close way day english welsh brown white black head hope love rose king bishop "
    "chambers mills marsh street cross wells moss"
)
_SURNAME_WORDS = frozenset(_SURNAME_WORD_TEXT.split())
_ORG_NOUNS = re.compile(
    r"^[ \u00a0]+(?:Policy|Procedures?|Plan|Act|Code|Team|Services?|Board|Centre|Center|"
    r"School|Academy|College|Trust|Partnership|Project|Programme|Group|Hub|Unit|Network|"
    r"Forum|Panel|Court|Hospital|Primary|Infants?|Junior|Nursery|High|Road|Street|Lane|"
    r"Avenue|Council|Society|Foundation|Charity|Church|Clinic|Surgery|Ltd|Limited|CIC)\b"
)
_SERVICE_AFTER = re.compile(
    r"^['’]s[ \u00a0]+\w+[ \u00a0]+(?:support|services?|centres?|hubs?|workers?|teams?|liaison|"
    r"practitioners?|groups?|courts?|law|project|programme|network|partnership|policy|plan)\b"
    r"|^[ \u00a0]+(?:Policy|Procedures?|Plan|Act|Code|Team|Services?|Board|Centre|Center|"
    r"School|Academy|College|Trust|Partnership|Project|Programme|Group|Hub|Unit|Network)\b",
    re.IGNORECASE,
)
_PLACE_PREPOSITION = re.compile(
    r"\b(?:in|at|to|from|into|near|around|across|outside|within|of|by|via|towards?)\s+$",
    re.IGNORECASE,
)

_KIN_PLURALS = (
    "brothers sisters siblings twins sons daughters cousins parents grandparents carers "
    "stepbrothers stepsisters"
)
_KIN_SET = frozenset(_KIN_PLURALS.split()) | frozenset(
    word.replace("\\s+", " ")
    for pattern in _KIN_WORDS.split("|")
    for word in (
        [pattern.replace("-?", ""), pattern.replace("-?", "-")] if "-?" in pattern else [pattern]
    )
)
_NAME_AT = re.compile(_NAME)
_AND_NAME = re.compile(rf"[ \u00a0]{{1,3}}(?:and|&)[ \u00a0]{{1,3}}(?P<name>{_NAME})")
_CLAUSE_END = re.compile(r"\s{0,3}(?:[,.;:)]|\(|$|aged?\b|who\b)")
_NAME_AT_END = re.compile(rf"(?<![\w'’-])(?:{_NAME})$")
_WORD_BEFORE_CAP = re.compile(
    rf"\b([A-Za-z][A-Za-z-]{{0,20}})(?![A-Za-z-])(,?)[ \u00a0]{{1,3}}(\(?)(?=[{_UP}])"
)
_AGE_MARK = re.compile(
    r"(?:,[ \u00a0]{0,3}|[ \u00a0]{1,3}\(|[ \u00a0]{1,3})(?:who\s{1,3}is\s{1,3}|is\s{1,3})?"
    r"(?:aged?[ \u00a0]+[0-9]{1,2}\b|[0-9]{1,2}[ \u00a0-]?(?:years?|yrs?)[ \u00a0-]?old\b|"
    r"an?[ \u00a0]+[0-9]{1,2}[ -]year[ -]old\b|"
    r"(?<=,)[ \u00a0]*1?[0-9](?=,)|"  # "Leah Morgan, 15, was referred"
    r"(?<=\()1?[0-9](?=\)))"  # "Jessica Lyons (14) disclosed"
)
_POSSESSIVE_MARK = re.compile(rf"['’]s[ \u00a0]+(?:{_KIN_POSSESSED})\b")
_CALLED = re.compile(
    rf"\b(?i:{_KIN_WORDS}|man|woman|lady|person)\b[^.;!?\n]{{0,20}}?\b(?i:called|named|known\s+as)"
    rf"[ \u00a0]+(?P<name>{_NAME})"
)


def _name_ending_at(text: str, end: int) -> tuple[int, int] | None:
    m = _NAME_AT_END.search(text, max(0, end - 80), end)
    return None if m is None else m.span()


def _clean_name(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Trim words that are not names from the ends of a candidate; ``None`` if none is left."""
    words = [(m.start() + start, m.end() + start) for m in re.finditer(r"\S+", text[start:end])]
    titles = {"mr", "mrs", "ms", "miss", "mx", "dr"}

    def is_name(word: str) -> bool:
        bare = word.rstrip(".").lower()
        return bare not in _NOT_NAMES and len(bare) > 1 and any(c.islower() for c in word[1:])

    # Cut at the first word that is not a name (keeping a leading title). A surname may be a
    # word ("Green", "Hill"): after a first name only organisation words stop the name.
    kept: list[tuple[int, int]] = []
    for i, (s, e) in enumerate(words):
        word = text[s:e]
        if i == 0 and word.rstrip(".").lower() in titles and len(words) > 1:
            kept.append((s, e))
            continue
        if not is_name(word) and not (
            kept and word.lower() in _SURNAME_WORDS and word[0].isupper()
        ):
            break
        kept.append((s, e))
    names = [w for w in kept if text[w[0] : w[1]].rstrip(".").lower() not in titles]
    if not names:
        return None
    return kept[0][0], kept[-1][1]


def _named(ctx: _Context) -> Iterable[Finding]:
    text = ctx.text
    found: list[tuple[int, int, str]] = []

    # A kin word, then a capitalised name: "his mother Sarah Smith", "the father, Mark,".
    for m in _WORD_BEFORE_CAP.finditer(text):
        word = m.group(1).lower()
        if word not in _KIN_SET and not (
            word == "person" and text[max(0, m.start() - 6) : m.start()].lower() == "young "
        ):
            continue
        name = _NAME_AT.match(text, m.end())
        if name is None:
            continue
        cleaned = _clean_name(text, *name.span())
        if cleaned is None:
            continue
        s, e = cleaned
        if _ORG_NOUNS.match(text[e : e + 30]):
            continue
        if m.group(2) and not _CLAUSE_END.match(text, e):
            continue  # "each pupil, Mr Brown explained": the comma ends the clause
        if m.group(3) and not text.startswith(")", e):
            continue  # "mum (Kerry Walsh)": the bracket holds the name alone
        found.append((s, e, "a family member or child named after a word such as 'mother'"))
        more = _AND_NAME.match(text, e)  # "brothers Alfie and Teddy Marsh"
        if more is not None:
            cleaned = _clean_name(text, *more.span("name"))
            if cleaned is not None and not _ORG_NOUNS.match(text[cleaned[1] : cleaned[1] + 30]):
                found.append((*cleaned, "a second name after a family word ('X and Y')"))

    # A name, then an age: "Jayden, aged 7", "Zofia Nowak (aged 12)".
    for m in _AGE_MARK.finditer(text):
        span = _name_ending_at(text, m.start())
        if span is None:
            continue
        cleaned = _clean_name(text, *span)
        if cleaned is None:
            continue
        s, e = cleaned
        if e != span[1]:
            continue  # the word before the age is not a name ("Children aged 7")
        if _PLACE_PREPOSITION.search(_before(text, s, 12)):
            continue  # "moved to Leeds, aged 7": a place
        if re.search(r"\b(?:St|Saint)\.?\s+$", _before(text, s, 8)):
            continue
        found.append((s, e, "a name followed by a child's age"))

    # A name's relative: "Amira's brother".
    for m in _POSSESSIVE_MARK.finditer(text):
        span = _name_ending_at(text, m.start())
        if span is None:
            continue
        cleaned = _clean_name(text, *span)
        if cleaned is None:
            continue
        s, e = cleaned
        if e != span[1] or re.search(r"\b(?:St|Saint)\.?\s+$", _before(text, s, 8)):
            continue  # "St Mary's", or the possessive is not on a name
        if _SERVICE_AFTER.match(text[e : e + 60]):
            continue  # "Barnardo's family support worker": a service, not a relative
        found.append((s, e, "a name with a family relation ('Amira's brother')"))

    # "a boy called Tom", "her brother, known as Kai".
    lowered = text.lower()
    if "called" in lowered or "named" in lowered or "known as" in lowered:
        for m in _CALLED.finditer(text):
            cleaned = _clean_name(text, *m.span("name"))
            if cleaned is None:
                continue
            s, e = cleaned
            found.append((s, e, "a person 'called' or 'named' something"))

    for s, e, reason in found:
        person = text[s:e]
        confidence: Confidence = "high" if len(person.split()) > 1 else "medium"
        yield Finding(Kind.NAMED_PERSON, s, e, _mask_words(person), confidence, reason)


# -- scanning --------------------------------------------------------------------------------------

# Order of precedence when two findings overlap at the same confidence.
_DETECTORS: tuple[tuple[Kind, Callable[[_Context], Iterable[Finding]]], ...] = (
    (Kind.EMAIL_ADDRESS, _email),
    (Kind.PUPIL_NUMBER, _upn),
    (Kind.NI_NUMBER, _nino),
    (Kind.NHS_NUMBER, _nhs),
    (Kind.PHONE_NUMBER, _phone),
    (Kind.POSTCODE, _postcode),
    (Kind.DATE_OF_BIRTH, _dob),
    (Kind.NAMED_PERSON, _named),
)
_PRIORITY = {kind: i for i, (kind, _) in enumerate(_DETECTORS)}

# Cheap first looks. Each kind has a pattern that every text it could find anything in must
# match: a necessary condition read off the detector's own patterns, never a guess. A text none
# of them matches (most evidence boxes) is skipped with one search; otherwise a detector runs
# only when its own condition holds. The conditions are looser than the detectors (a superset),
# so the findings are those of running every detector on every text: tests/test_privacy.py
# compares the two on the labelled set and on random texts.
#
# NHS, National Insurance, pupil and phone numbers all hold six digits or more, each gap between
# two of them at most two separator characters (a phone number's spaces, dots and brackets; a
# NINO's single space or dash).
_DIGITS_SIX = r"[0-9](?:[ \u00a0\u2009\u202f().\u2010-\u2013-]{0,2}[0-9]){5}"
# A postcode's inward code (a digit and two letters, ending a word); "GIR 0AA" has one too.
_INWARD = r"[0-9](?i:[ABD-HJLNP-UW-Z]){2}(?!\w)"
# Every written date _DATE matches has a four-digit year, or digits either side of / . -.
_DATE_DIGITS = r"[0-9](?:[0-9]{3}|[/.-][0-9])"
# A named person: an age after a name ("7 years old", "a 7-year-old", "aged 7", ", 15,",
# "(14)"), a possessive family word ("Amira's brother"); or (below) a family word right before
# a capital ("mother Sarah", "sister, Amy"), or "called", "named" or "known as".
_YEARS_OLD = r"[0-9][ \u00a0-]?y(?:ear|r)"
_NAMED_CUES = (
    _YEARS_OLD,
    r"aged?[ \u00a0]+[0-9]",
    r",[ \u00a0]*[0-9]{1,2},",
    r"\([0-9]{1,2}\)",
    rf"['’]s[ \u00a0]+(?:{_KIN_POSSESSED})",
)
_CUES: dict[Kind, tuple[str, ...]] = {
    Kind.EMAIL_ADDRESS: ("@",),
    Kind.PUPIL_NUMBER: (_DIGITS_SIX,),
    Kind.NI_NUMBER: (_DIGITS_SIX,),
    Kind.NHS_NUMBER: (_DIGITS_SIX,),
    Kind.PHONE_NUMBER: (_DIGITS_SIX,),
    Kind.POSTCODE: (_INWARD,),
    Kind.DATE_OF_BIRTH: (_DATE_DIGITS,),
    Kind.NAMED_PERSON: _NAMED_CUES,
}
_CUE: dict[Kind, tuple[re.Pattern[str], ...]] = {
    kind: tuple(re.compile(cue) for cue in cues) for kind, cues in _CUES.items()
}
# All the cues in a few searches, each starting at a digit or a fixed character (a pattern of
# many alternatives with different first characters is tried at every position: slow).
_LEADING_DIGIT = re.compile(
    "[0-9](?:"
    + "|".join(
        f"(?:{cue[len('[0-9]') :]})" for cue in (_DIGITS_SIX, _INWARD, _DATE_DIGITS, _YEARS_OLD)
    )
    + ")"
)
_OTHER_CUES = tuple(
    re.compile(cue) for cue in ("@", *(c for c in _NAMED_CUES if not c.startswith("[0-9]")))
)
# The family word before a capital: _WORD_BEFORE_CAP's word (ASCII letters, at most 21) ends
# where its comma or space begins, so the text before that point ends with the word.
_CAPITAL_AFTER_SPACE = re.compile(rf"[, \u00a0][ \u00a0]{{0,3}}\(?(?=[{_UP}])")
_KIN_ENDINGS = (*sorted(w for w in _KIN_SET if " " not in w), "person")


def _named_cue(text: str) -> bool:
    """Whether the family-word or the "called" rule of :func:`_named` could find a name."""
    lowered = text.lower()
    if "called" in lowered or "named" in lowered or "known as" in lowered:
        return True  # the gate _named itself puts before _CALLED
    if len(lowered) == len(text):  # each character lowered to one: the offsets are the same
        return any(
            lowered.endswith(_KIN_ENDINGS, 0, m.start())
            for m in _CAPITAL_AFTER_SPACE.finditer(text)
        )
    return any(
        text[max(0, m.start() - 24) : m.start()].lower().endswith(_KIN_ENDINGS)
        for m in _CAPITAL_AFTER_SPACE.finditer(text)
    )


def _cued(kind: Kind, text: str) -> bool:
    """Whether the detector of ``kind`` could find anything in ``text``."""
    if any(cue.search(text) is not None for cue in _CUE[kind]):
        return True
    return kind is Kind.NAMED_PERSON and _named_cue(text)


def might_hold(texts: Iterable[str]) -> bool:
    """Whether :func:`scan` could find anything in any of ``texts``: when False, it finds
    nothing in each of them (one look at them all, quicker than a scan of each)."""
    # Every cue matches inside one text, none holds a line break, and "\n" ends a word for
    # (?!\w): a cue one text has, the texts joined have (a cue across two only costs scans).
    return _any_cue("\n".join(texts))


def _any_cue(text: str) -> bool:
    """Whether any detector could find anything in ``text`` (the cues of every kind)."""
    return (
        _LEADING_DIGIT.search(text) is not None
        or any(cue.search(text) is not None for cue in _OTHER_CUES)
        or _named_cue(text)
    )


_ALL_KINDS = frozenset(Kind)


@functools.lru_cache(maxsize=256)
def _normalise_phone(phone: str) -> str | None:
    pn = _lib("phonenumbers")
    try:
        number = pn.parse(phone, "GB")
    except pn.NumberParseException:
        return None
    return _phone_digits(number)


def scan(
    text: str,
    *,
    allowed_emails: Iterable[str] = (),
    allowed_phones: Iterable[str] = (),
    kinds: Iterable[Kind] | None = None,
) -> tuple[Finding, ...]:
    """Every piece of personal data found in ``text``, in order of position.

    ``allowed_emails`` and ``allowed_phones`` are the respondent's own contact details (from
    the return's organisation details): they are not flagged, in any spelling of the same
    address (case) or number (spacing, ``+44`` or ``0``). ``kinds`` limits the scan to some
    kinds. Overlapping findings are reduced to one: the more certain, then the more specific
    kind (an e-mail address over the digits inside it).
    """
    return _scan(text, allowed_emails, allowed_phones, kinds, True)


def _scan(
    text: str,
    allowed_emails: Iterable[str],
    allowed_phones: Iterable[str],
    kinds: Iterable[Kind] | None,
    cues: bool,
) -> tuple[Finding, ...]:
    """:func:`scan`; with ``cues`` False every detector runs on the text (what the cues must
    never change)."""
    if cues and not _any_cue(text):
        return ()
    wanted = _ALL_KINDS if kinds is None else frozenset(kinds)
    phones = [p for p in (_normalise_phone(p) for p in allowed_phones) if p is not None]
    emails = frozenset(e.strip().casefold() for e in allowed_emails)
    blocked = tuple(m.span() for m in _BLOCKING.finditer(text))
    if "@" in text:
        blocked += tuple(m.span() for m in _EMAIL.finditer(text))
    ctx = _Context(text, emails, frozenset(phones), _merge(blocked))

    found: list[Finding] = []
    for kind, detector in _DETECTORS:
        if kind not in wanted or (cues and not _cued(kind, text)):
            continue
        for finding in detector(ctx):
            if kind is not Kind.EMAIL_ADDRESS and ctx.is_blocked(finding.start, finding.end):
                continue
            found.append(finding)
    return _resolve_overlaps(found)


def _resolve_overlaps(found: Sequence[Finding]) -> tuple[Finding, ...]:
    ranked = sorted(
        found,
        key=lambda f: (
            _CONFIDENCE_RANK[f.confidence],
            f.start - f.end,  # the longer span explains more of the text
            _PRIORITY[f.kind],
            f.start,
        ),
    )
    starts: list[int] = []  # the kept spans, sorted and never overlapping
    kept: list[Finding] = []
    for finding in ranked:
        i = bisect.bisect_right(starts, finding.start)
        if i and kept[i - 1].end > finding.start:
            continue
        if i < len(kept) and kept[i].start < finding.end:
            continue
        starts.insert(i, finding.start)
        kept.insert(i, finding)
    return tuple(kept)


def redact(text: str, findings: Iterable[Finding]) -> str:
    """``text`` with each finding's span replaced by ``[<kind> removed]``.

    Pure and deterministic: the result depends only on the text and the set of findings
    (their order does not matter). Overlapping spans are removed as one, named by the finding
    that starts first. A span outside the text is a ``ValueError``.
    """
    spans = sorted({(f.start, f.end, f.kind.replacement) for f in findings})
    out: list[str] = []
    pos = 0
    current: tuple[int, int, str] | None = None
    for start, end, replacement in spans:
        if end > len(text):
            raise ValueError(f"finding {start}-{end} lies outside a text of {len(text)} characters")
        if current is not None and start < current[1]:
            current = (current[0], max(current[1], end), current[2])
            continue
        if current is not None:
            out.append(text[pos : current[0]])
            out.append(current[2])
            pos = current[1]
        current = (start, end, replacement)
    if current is not None:
        out.append(text[pos : current[0]])
        out.append(current[2])
        pos = current[1]
    out.append(text[pos:])
    return "".join(out)
