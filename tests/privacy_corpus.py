"""A labelled synthetic set for the personal-data detector, generated from a seed.

    items = generate()          # the default seed: the same items every time

Each :class:`Item` is one sentence of the kind a partnership officer reads in a return's
evidence box, either a **positive** (it holds one piece of personal data of its kind, at the
recorded span) or a **look-alike** (it holds none, but something a careless detector would
flag: a ten-digit number failing modulus 11, an invoice number, a non-birth date, a place,
a policy name, "Child A", a non-UK phone number, the respondent's own e-mail).

The identifiers are made here from their published rules (the NHS modulus-11 check, HMRC's
prefix rules, the DfE check letter, Royal Mail's postcode layout, Ofcom's number ranges),
independently of the detector's code, so the test compares two implementations.

Used by tests/test_privacy.py and benchmarks/privacy.py.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

SEED = 20261202
#: The respondent's own contact details, passed to the detector as allowed.
OWN_EMAILS = ("dsl@riverside-primary.sch.uk", "j.okafor@northshire-trust.org.uk")
OWN_PHONES = ("01632 960 001",)

KINDS = (
    "nhs-number",
    "ni-number",
    "pupil-number",
    "postcode",
    "phone-number",
    "email-address",
    "date-of-birth",
    "named-person",
)


@dataclass(frozen=True)
class Item:
    text: str
    kind: str  # the kind this item tests (the category of a look-alike)
    positive: bool
    span: tuple[int, int] | None  # where the personal data is, for a positive


def _place(template: str, value: str) -> tuple[str, tuple[int, int]]:
    start = template.index("{}")
    return template.replace("{}", value, 1), (start, start + len(value))


# -- identifiers made from their rules -------------------------------------------------------------


def nhs_number(rng: random.Random, valid: bool = True) -> str:
    while True:
        first = rng.choice("4679") if valid else rng.choice("123456789")
        body = first + "".join(rng.choice("0123456789") for _ in range(8))
        total = sum(int(d) * w for d, w in zip(body, range(10, 1, -1), strict=False))
        check = 11 - total % 11
        check = 0 if check == 11 else check
        if valid and check != 10:
            return body + str(check)
        if not valid:
            wrong = [d for d in range(10) if d != check]
            return body + str(rng.choice(wrong))


def nhs_layout(rng: random.Random, digits: str) -> str:
    sep = rng.choice([" ", " ", "-", ""])
    return f"{digits[:3]}{sep}{digits[3:6]}{sep}{digits[6:]}"


_NINO_FIRST = "ABCEGHJKLMNOPRSTWXYZ"  # not D F I Q U V
_NINO_SECOND = "ABCEGHJKLMNPRSTWXYZ"  # nor O
_NINO_BANNED = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}


def nino(rng: random.Random) -> str:
    while True:
        prefix = rng.choice(_NINO_FIRST) + rng.choice(_NINO_SECOND)
        if prefix not in _NINO_BANNED:
            break
    digits = "".join(rng.choice("0123456789") for _ in range(6))
    suffix = rng.choice("ABCD")
    layout = rng.randrange(3)
    if layout == 0:
        return f"{prefix} {digits[:2]} {digits[2:4]} {digits[4:]} {suffix}"
    if layout == 1:
        return f"{prefix}{digits}{suffix}"
    return f"{prefix} {digits} {suffix}"


_UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def upn_check(rest: str) -> str:
    """The DfE check letter over characters 2-13 (weights 2 to 13, modulo 23)."""
    total = 0
    for weight, ch in enumerate(rest, 2):
        total += weight * (int(ch) if ch.isdigit() else _UPN_LETTERS.index(ch))
    return _UPN_LETTERS[total % 23]


def upn(rng: random.Random, valid: bool = True) -> str:
    la = str(rng.randint(201, 938))
    estab = f"{rng.randint(1000, 7999)}"
    year = f"{rng.randint(5, 25):02d}"
    if rng.random() < 0.2:  # a temporary UPN: two serial digits and a letter
        serial = f"{rng.randint(0, 99):02d}{rng.choice(_UPN_LETTERS)}"
    else:
        serial = f"{rng.randint(1, 999):03d}"
    rest = la + estab + year + serial
    check = upn_check(rest)
    if not valid:
        check = rng.choice([c for c in _UPN_LETTERS if c != check])
    if rng.random() < 0.15:  # grouped as on some printouts
        return f"{check} {la} {estab} {year} {serial}"
    return check + rest


_PC_FIRST = "ABCDEFGHIJKLMNOPRSTUWYZ"  # not Q V X
_PC_SECOND = "ABCDEFGHKLMNOPQRSTUVWXY"  # not I J Z
_PC_THIRD = "ABCDEFGHJKPSTUW"
_PC_FOURTH = "ABEHMNPRVWXY"
_PC_INWARD = "ABDEFGHJLNPQRSTUWXYZ"  # not C I K M O V


def postcode(rng: random.Random) -> str:
    d = lambda: rng.choice("0123456789")  # noqa: E731
    shape = rng.randrange(6)
    if shape == 0:
        outward = rng.choice(_PC_FIRST) + d()
    elif shape == 1:
        outward = rng.choice(_PC_FIRST) + d() + d()
    elif shape == 2:
        outward = rng.choice(_PC_FIRST) + rng.choice(_PC_SECOND) + d()
    elif shape == 3:
        outward = rng.choice(_PC_FIRST) + rng.choice(_PC_SECOND) + d() + d()
    elif shape == 4:
        outward = rng.choice(_PC_FIRST) + d() + rng.choice(_PC_THIRD)
    else:
        outward = rng.choice(_PC_FIRST) + rng.choice(_PC_SECOND) + d() + rng.choice(_PC_FOURTH)
    inward = d() + rng.choice(_PC_INWARD) + rng.choice(_PC_INWARD)
    return f"{outward}{'' if rng.random() < 0.1 else ' '}{inward}"


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def uk_phone(rng: random.Random) -> str:
    """A number in a UK range: mobiles, London, big-city and Ofcom's drama ranges."""
    kind = rng.randrange(6)
    if kind == 0:  # mobile
        mobile = "7" + rng.choice("123457889") + _digits(rng, 8)
        groups = (mobile[:4], mobile[4:])
    elif kind == 1:  # London
        london = "20" + rng.choice("378") + _digits(rng, 7)
        groups = (london[:2], london[2:6], london[6:])
    elif kind == 2:  # a city with a three-digit code
        code = rng.choice(
            ["113", "114", "115", "116", "117", "118", "121", "131", "141", "151", "161", "191"]
        )
        city = code + rng.choice("2345") + _digits(rng, 6)
        groups = (city[:3], city[3:6], city[6:])
    elif kind == 3:  # Ofcom's drama ranges (not allocated to lines)
        drama = rng.choice(["7700900", "1632960", "1134960", "1614960", "2079460"]) + _digits(
            rng, 3
        )
        groups = (drama[:4], drama[4:]) if drama[0] in "17" else (drama[:2], drama[2:6], drama[6:])
    elif kind == 4:  # Northern Ireland, Cardiff
        area = rng.choice(["2890", "2920"]) + rng.choice("123456789") + _digits(rng, 5)
        groups = (area[:2], area[2:6], area[6:])
    else:  # a five-digit area code
        area = (
            rng.choice(["1865", "1223", "1904", "1392", "1603"])
            + rng.choice("2345")
            + _digits(rng, 5)
        )
        groups = (area[:4], area[4:])
    style = rng.randrange(5)
    if style == 0:
        return "0" + " ".join(groups)
    if style == 1:
        return "0" + "".join(groups)
    if style == 2:
        return "+44 " + " ".join(groups)
    if style == 3:
        return "+44 (0)" + " ".join(groups)
    if len(groups) == 2 and groups[0].startswith("7") and rng.random() < 0.5:
        return f"+44 {groups[0]} {groups[1][:3]} {groups[1][3:]}"
    if len(groups) == 3:
        return f"0{groups[0]}-{groups[1]}-{groups[2]}"
    return f"(0{groups[0]}) {groups[1]}"


FIRST_NAMES = [
    "Jayden",
    "Amira",
    "Oliver",
    "Sophia",
    "Mohammed",
    "Isla",
    "Noah",
    "Ava",
    "Leo",
    "Freya",
    "Harry",
    "Zara",
    "Archie",
    "Maya",
    "Oscar",
    "Aisha",
    "Jack",
    "Poppy",
    "Charlie",
    "Evie",
    "Kai",
    "Layla",
    "Reuben",
    "Nia",
    "Tomasz",
    "Zofia",
    "Dylan",
    "Ellie",
    "Kian",
    "Chloe",
    "Callum",
    "Priya",
    "Ibrahim",
    "Grace",
    "Jamal",
    "Ruby",
    "Lewis",
    "Hannah",
    "Ethan",
    "Mia",
    "Aaron",
    "Jade",
    "Tyler",
    "Lacey",
    "Ryan",
    "Shannon",
    "Connor",
    "Megan",
    "Declan",
    "Siobhan",
    "Dominik",
    "Ewa",
    "Joel",
    "Keira",
    "Ollie",
    "Tia",
]
SURNAMES = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Khan",
    "Begum",
    "Hussain",
    "Evans",
    "Thomas",
    "Roberts",
    "Walker",
    "Wright",
    "Robinson",
    "Thompson",
    "White",
    "Hughes",
    "Edwards",
    "Green",
    "Hall",
    "Wood",
    "Clarke",
    "Nowak",
    "Kowalski",
    "Okafor",
    "Mensah",
    "O'Brien",
    "McDonald",
    "Campbell",
    "Murphy",
    "Kelly",
    "Ahmed",
    "Ali",
    "Singh",
    "Kaur",
]
KIN = (
    "mother",
    "father",
    "mum",
    "dad",
    "stepfather",
    "grandmother",
    "brother",
    "sister",
    "aunt",
    "uncle",
    "foster carer",
    "older brother",
    "younger sister",
)
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def a_date(rng: random.Random, start_year: int, end_year: int) -> str:
    day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(start_year, end_year)
    style = rng.randrange(6)
    if style == 0:
        return f"{day:02d}/{month:02d}/{year}"
    if style == 1:
        return f"{day}/{month}/{year}"
    if style == 2:
        return f"{day} {MONTHS[month - 1]} {year}"
    if style == 3:
        return (
            f"{day}{'th' if day not in (1, 2, 3, 21, 22, 23) else 'st'} {MONTHS[month - 1]} {year}"
        )
    if style == 4:
        return f"{year}-{month:02d}-{day:02d}"
    if style == 5 and rng.random() < 0.5:
        return f"{day}/{month}/{year % 100:02d}"
    return f"{day:02d}.{month:02d}.{year}"


# -- templates -------------------------------------------------------------------------------------

OPENERS = (
    "",
    "Evidence: ",
    "Following the audit, ",
    "In the case file sample, ",
    "As discussed at the strategy meeting, ",
)


def _open(rng: random.Random) -> str:
    return rng.choice(OPENERS)


def _positive(rng: random.Random, kind: str) -> tuple[str, tuple[int, int]]:
    o = _open(rng)
    if kind == "nhs-number":
        value = nhs_layout(rng, nhs_number(rng))
        template = rng.choice(
            [
                "the referral form included the child's NHS number {} by mistake.",
                "NHS no. {} was written on the consent form.",
                "the health visitor's note gives {} for the baby.",
                "his NHS number is {} and this was shared with the school nurse.",
                "we found the number {} on an unredacted case note.",
                "the discharge letter (NHS {}) was in the file.",
                "NHS: {}.",
                "the GP letter quoted NHS number - {} in full.",
            ]
        )
    elif kind == "ni-number":
        value = nino(rng)
        template = rng.choice(
            [
                "the parent's National Insurance number {} was on the form.",
                "NI number: {} appears in the early help assessment.",
                "a copy of the payslip showing {} was attached.",
                "the carer gave {} when applying for the grant.",
                "NI no. {} was on the benefits letter.",
                "his NINO is {}.",
            ]
        )
    elif kind == "pupil-number":
        value = upn(rng)
        template = rng.choice(
            [
                "the pupil's UPN {} was included in the spreadsheet.",
                "records for UPN {} were transferred late.",
                "the CTF for {} arrived after the child started.",
                "unique pupil number {} was quoted in the referral.",
                "the transfer file lists {} for the pupil.",
            ]
        )
    elif kind == "postcode":
        value = postcode(rng)
        if rng.random() < 0.05 and " " in value:
            value = value.lower()
        template = rng.choice(
            [
                "the family moved to an address in {} last term.",
                "home address: 14 Mill Lane, {}.",
                "the child was found near {} by police.",
                "she now lives at {} with her grandmother.",
                "address given as 3 Church Street, Northtown {}",
                "the foster placement ({}) ended in May.",
            ]
        )
    elif kind == "phone-number":
        value = uk_phone(rng)
        template = rng.choice(
            [
                "mum can be reached on {} after 6pm.",
                "the father's mobile {} was given to the club.",
                "call the foster carer on {}.",
                "a message was left on {} for the aunt.",
                "contact number for the family: {}",
                "tel. {} (the grandmother).",
                "her number is {}.",
            ]
        )
    elif kind == "email-address":
        first, last = rng.choice(FIRST_NAMES).lower(), rng.choice(SURNAMES).lower().replace("'", "")
        domain = rng.choice(
            [
                "gmail.com",
                "hotmail.co.uk",
                "outlook.com",
                "btinternet.com",
                "yahoo.co.uk",
                "icloud.com",
                "northshire.gov.uk",
            ]
        )
        value = (
            rng.choice(
                [
                    f"{first}.{last}",
                    f"{first}{last}{rng.randint(1, 99)}",
                    f"{first[0]}{last}",
                    f"{first}+school@",
                    f"{first.title()}.{last.title()}",
                ]
            ).rstrip("@")
            + "@"
            + domain
        )
        template = rng.choice(
            [
                "the parent wrote from {} to complain.",
                "minutes were sent to {} in error.",
                "the young person's e-mail {} was in the log.",
                "forwarded to {} (the child's father).",
                "the carer's address <{}> was copied in.",
            ]
        )
    elif kind == "date-of-birth":
        value = a_date(rng, 2005, 2022)
        template = rng.choice(
            [
                "DOB: {} recorded on the register.",
                "the child (date of birth {}) was referred.",
                "the baby was born on {} at home.",
                "a pupil, D.O.B. {}, moved school.",
                "her date of birth is {} according to the file.",
                "a boy aged {age}, {} was reported missing.",
                "the child was born {} in Leeds.",
                "D.O.B: {}",
                "the sibling (DOB {}) is also known.",
                "date of birth: {}; no known allergies.",
                "{} (DOB) is written on the front sheet.",
            ]
        )
        template = template.replace("{age}", str(rng.randint(3, 16)))
    else:  # named-person
        first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        choice = rng.randrange(13)
        if choice == 0:
            value, template = (
                first,
                "{}, aged " + str(rng.randint(2, 17)) + ", told a teacher about the bruises.",
            )
        elif choice == 1:
            value = f"{first} {last}"
            template = "his " + rng.choice(KIN) + " {} attended the meeting."
        elif choice == 2:
            value = f"{first} {last}"
            template = "the " + rng.choice(KIN) + ", {}, did not engage."
        elif choice == 3:
            value, template = (
                first,
                "{}'s "
                + rng.choice(["mother", "brother", "sister", "dad", "stepfather"])
                + " was spoken to.",
            )
        elif choice == 4:
            value, template = (
                first,
                "a " + rng.choice(["boy", "girl", "child"]) + " called {} disclosed at break time.",
            )
        elif choice == 5:
            value = f"{first} {last}"
            template = "the concern about {} (aged " + str(rng.randint(2, 17)) + ") was escalated."
        elif choice == 6:
            value, template = first, "mum, {}, said the children were at her sister's."
        elif choice == 7:
            value, template = first, "her brother {} is in Year 9."
        elif choice == 8:
            value = f"{first} {last}"
            template = "{}, " + str(rng.randint(2, 17)) + " years old, was seen by the nurse."
        elif choice == 9:
            value = f"{first} {last}"
            template = "a girl named {} was reported missing."
        elif choice == 10:
            value, template = first, "the child, {}, said she was scared to go home."
        elif choice == 11:
            value = f"{first} {last}"
            template = "{} (" + str(rng.randint(2, 17)) + ") disclosed to the PE teacher."
        else:
            value = first
            template = (
                "the "
                + rng.choice(["brothers", "sisters", "twins", "siblings"])
                + " {} and "
                + rng.choice(FIRST_NAMES)
                + " were both referred."
            )
    text, span = _place(template, value)
    if o:
        text = o + text
        span = (span[0] + len(o), span[1] + len(o))
    else:
        text = text[0].upper() + text[1:]
    return text, span


def _lookalike(rng: random.Random, kind: str) -> str:
    o = _open(rng)
    if kind == "nhs-number":
        bad = nhs_number(rng, valid=False)
        good = nhs_number(rng)
        text = rng.choice(
            [
                f"the case reference was {nhs_layout(rng, bad)}.",
                f"{bad} is the number on the old log.",
                f"invoice {good} was paid in March.",
                f"order number {good} for the training pack.",
                f"the purchase order {nhs_layout(rng, good)} covers the DBS checks.",
                f"ISBN {good} is the handbook we use.",
                f"our account no. {good} with the supplier.",
                f"the figure {bad} came from the finance report.",
                f"the NHS number {nhs_layout(rng, bad)} was mistyped, so the check failed.",
                f"the table shows {bad} in total.",
            ]
        )
    elif kind == "ni-number":
        digits = _digits(rng, 6)
        text = rng.choice(
            [
                f"use QQ {digits[:2]} {digits[2:4]} {digits[4:]} C as the example in training.",
                f"the form prefix DA{digits}A is not a real number.",
                f"code BG{digits}B is never issued.",
                f"purchase order PO{digits} was raised.",
                f"the staff code AB{digits} is on the rota.",
                f"room KS{digits[:2]} {digits[2:4]} is booked.",
                f"invoice SL{digits}C went to the trust.",
                f"reference ZZ {digits[:2]} {digits[2:4]} {digits[4:]} D is a placeholder.",
            ]
        )
    elif kind == "pupil-number":
        text = rng.choice(
            [
                f"the code {upn(rng, valid=False)} failed the import.",
                f"record {upn(rng, valid=False)} was rejected.",
                f"product code {upn(rng)} is the safeguarding folder.",
                f"asset tag {upn(rng)} is the laptop we checked.",
                "UPNs were checked for all 412 pupils in Year 7.",
            ]
        )
    elif kind == "postcode":
        outward = postcode(rng).split(" ")[0] if " " in postcode(rng) else "LS1"
        text = rng.choice(
            [
                f"our sites in Leeds city centre ({outward} area) were visited.",
                "the partnership covers Northshire and the M62 corridor.",
                "the LSCP office is in Manchester.",
                "the code QA1 1AA is not a postcode.",
                "form 6A1 2BC was completed.",
                "the A1 1CI reference is invalid.",
                "the Wellbeing Hub at Bradford Road opened in May.",
                "staff from York, Hull and Scarborough attended.",
                "version V12 3AB of the checklist was used.",
                "the M1 motorway closure delayed the visit.",
                "KS2 SATs results were discussed.",
                "Y7 pupils had an assembly.",
                "the 3G pitch is fenced.",
            ]
        )
    elif kind == "phone-number":
        text = rng.choice(
            [
                "our US partner is on +1 415 555 0100.",
                "the Paris office is +33 1 42 68 53 00.",
                "the Berlin team can be reached on +49 30 901820.",
                "the Dublin service: +353 1 234 5678.",
                f"order 0{rng.choice('12')}{_digits(rng, 9)} was delivered.",
                f"training took place on 0{rng.randint(1, 9)}.0{rng.randint(1, 9)}.2025.",
                "the service covers children aged 0-19 years.",
                "the 2024-2025 figures show 0 12 34 referrals.",
                f"invoice 0{_digits(rng, 10)} is outstanding.",
                "the respondent's own number is 01632 960 001.",
                "Ofsted URN 123456 is on the cover.",
                "the ratio is 1:8 in the nursery.",
                "01 02 2025 was the deadline.",
                "version 0.12.3 of the form was used.",
                "in an emergency call 999.",
                "text SHOUT to 85258.",
                "Years 07 to 11 had the talk.",
            ]
        )
    elif kind == "email-address":
        own = rng.choice(OWN_EMAILS)
        text = rng.choice(
            [
                f"contact {own} with any queries.",
                f"returns should go to {own.upper()}.",
                f"the DSL ({own}) keeps the log.",
                "the policy is on the website at www.riverside-primary.sch.uk/policies.",
                f"the return came from <{own}>.",
                f"send the log to {own[0].upper() + own[1:]}, please.",
            ]
        )
    elif kind == "date-of-birth":
        date = a_date(rng, 2015, 2026)
        text = rng.choice(
            [
                f"the policy was reviewed on {date} by governors.",
                f"training was delivered on {date}.",
                "the Children Act 2004 sets out the duty.",
                "KCSIE September 2025 applies.",
                f"the audit (completed {date}) found gaps.",
                f"staff aged 18 and over were trained on {date}.",
                f"the idea was born out of the review, which was signed off on {date}.",
                f"next review date: {date}.",
                f"the Birthday Club met on {date}.",
                f"Year 7 pupils (aged 11) joined on {date}.",
                f"the letter dated {date} was filed.",
                f"the project was born out of concern in {rng.choice(MONTHS)} {date[-4:]}.",
                f"the LADO was informed on {date}; the child is aged 9.",
            ]
        )
    else:  # named-person
        letter = rng.choice("ABCDEFGH")
        text = rng.choice(
            [
                f"Child {letter}, aged {rng.randint(2, 17)}, was discussed at the panel.",
                f"Child {letter}'s mother was offered early help.",
                "the Designated Safeguarding Lead, Mrs Patel, reviewed the log.",
                "the Child Protection Policy was updated.",
                "our Safer Recruitment Policy follows Keeping Children Safe in Education.",
                "staff at St Mary's Primary School attended.",
                "Barnardo's family support worker visited.",
                "the family moved to Leeds, aged children included.",
                "the parent Code of Conduct was shared.",
                "his mother attended the meeting with the social worker.",
                "Children aged 5 to 7 are in Key Stage 1.",
                "Operation Encompass notifications arrive before 9am.",
                "the Local Authority Designated Officer was informed.",
                f"Pupil {letter} and Sibling {rng.randint(1, 3)} were seen together.",
                "Working Together to Safeguard Children 2023 is followed.",
                "the Head of Year 9 spoke to the class.",
                "Team Around the Family meetings are held monthly.",
                "the Early Help Assessment was completed.",
                "the Multi-Agency Safeguarding Hub took the call.",
                "the Family Liaison Officer met the parents.",
                "the child's Social Worker attended.",
                "the Independent Reviewing Officer chaired the review.",
                "Year 7 pupils aged 11 had e-safety lessons.",
                "Girls aged 12 to 14 joined the group.",
                "her mother's Social Worker visited.",
                "the pupil Premium grant funds the mentor.",
                "a child Protection conference was held.",
                "the parent Governor, Mr Ahmed, asked about training.",
                "our Headteacher Mr Jones signed the return.",
                "Mrs Patel (DSL) and Mr Jones (deputy) are trained.",
                "NSPCC's Speak Out Stay Safe programme visited.",
                "the young person Advocacy service was offered.",
            ]
        )
    text = o + text if o else text[0].upper() + text[1:]
    return text


def generate(seed: int = SEED, positives: int = 150, lookalikes: int = 120) -> list[Item]:
    """``positives`` and ``lookalikes`` items for each kind (2,160 by default)."""
    rng = random.Random(seed)
    items: list[Item] = []
    for kind in KINDS:
        for _ in range(positives):
            text, span = _positive(rng, kind)
            items.append(Item(text, kind, True, span))
        for _ in range(lookalikes):
            items.append(Item(_lookalike(rng, kind), kind, False, None))
    return items


Maker = Callable[[random.Random], str]


def measure(scan: Callable[..., Any]) -> dict[str, tuple[int, int, int, int]]:
    """Per kind: (positives, positives found at their exact span, look-alikes, look-alikes
    flagged) for a detector ``scan(text, allowed_emails=, allowed_phones=)`` over
    :func:`generate`. The detector is passed in, so the corpus stays independent of it."""
    counts: dict[str, list[int]] = {}
    for item in generate():
        findings = scan(item.text, allowed_emails=OWN_EMAILS, allowed_phones=OWN_PHONES)
        row = counts.setdefault(item.kind, [0, 0, 0, 0])
        if item.positive:
            row[0] += 1
            row[1] += any(f.kind.id == item.kind and f.span == item.span for f in findings)
        else:
            row[2] += 1
            row[3] += bool(findings)
    return {kind: (a, b, c, d) for kind, (a, b, c, d) in counts.items()}
