"""Label normalization shared by dimension, group and header matching."""

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

_SPELLING = {
    "judgement": "judgment",
    "behaviour": "behavior",
    "organisation": "organization",
    "organisational": "organizational",
    "prioritise": "prioritize",
    "centre": "center",
}
_NON_WORD = re.compile(r"[\W_]+")  # letters and digits of every script are words


def fold_accents(text: str) -> str:
    """Accents off Latin, Greek and Cyrillic letters (`Jürgen` -> `Jurgen`, `Ἀρετή` -> `Αρετη`); marks
    of other scripts stay, since there they tell words apart (`が` is not `か`)."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = [
        c
        for i, c in enumerate(decomposed)
        if not (unicodedata.combining(c) and i and decomposed[i - 1] < "\u0530")
    ]
    return unicodedata.normalize("NFKC", "".join(kept))


@lru_cache(maxsize=8192)  # headers and labels repeat across the files of a batch
def normalize(label: str) -> str:
    """Fold a label to lowercase words in any script: case, accents, punctuation, `&` and
    British spellings folded (`Исполнение` stays `исполнение`; `△` and `□` stay apart)."""
    text = fold_accents(label).casefold().replace("&", " and ").replace("+", " and ")
    words = _NON_WORD.sub(" ", text).split() or _symbols(text)
    return " ".join(_SPELLING.get(word, word) for word in words)


def _symbols(text: str) -> list[str]:
    """A label of symbols only (`△`, `⬡`, used as items in real studies) is its own word."""
    return ["".join(c for c in text if not c.isspace() and unicodedata.category(c)[0] == "S")]


def leader_key(name: str) -> str:
    """A leader's name folded for matching: case, accents and spacing aside (`José  Díaz` and
    `jose diaz` are one leader). Survey spellings, assessments and the HR roster meet on it."""
    return " ".join((name if name.isascii() else fold_accents(name)).casefold().split())


# what would make `leader_key` change an ASCII name beyond its case: whitespace other than a
# single space between words (str.split's ASCII whitespace), or a space at either end
_UNEVEN_SPACE = re.compile(r"[\t\n\r\x0b\x0c\x1c-\x1f]|  |\x00 | \x00")


def leader_keys(names: list[str]) -> list[str]:
    """`leader_key` of each name; names in plain ASCII, singly spaced, in one pass over them all
    (an organization's eighty thousand leaders)."""
    joined = "\x00" + "\x00".join(names) + "\x00"
    if (
        joined.isascii()
        and joined.count("\x00") == len(names) + 1
        and not _UNEVEN_SPACE.search(joined)
    ):
        return joined.casefold().split("\x00")[1:-1]
    return [leader_key(name) for name in names]


def compact(label: str) -> str:
    """`normalize` without spaces, so `decision making` and `decision-making` meet `decisionmaking`."""
    return normalize(label).replace(" ", "")


@lru_cache(maxsize=1)
def _near_alpha() -> tuple[float, float]:
    """The p-values near the level, written with enough digits to show which side p is on
    (the level is imported here, not at start-up: `dimensions` and `--help` never need it)."""
    from coachkit.policy import ALPHA

    return round(ALPHA - 0.005, 4), round(ALPHA + 0.005, 4)


def format_p(p: float) -> str:
    """A p-value as people read it: `p < .001`, `p = .04`, `p = .31`."""
    if p < 0.001:
        return "p < .001"
    if p < 0.01:
        return f"p = {p:.3f}".replace("0.", ".")
    low, high = _near_alpha()
    if low <= p < high:
        text = f"{p:.4f}".rstrip("0")
        return f"p = {text}".replace("0.", ".")
    return f"p = {p:.2f}".replace("0.", ".")


_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b.")
_CONTROL = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\U000e0000-\U000e007f]"
)  # control characters, zero-width and bidi marks, invisible operators, tag characters


def printable(text: str) -> str:
    """Text safe for a terminal line: escape sequences and control characters removed."""
    return _CONTROL.sub(" ", _ANSI.sub("", text)).strip()


@lru_cache(maxsize=256)  # a few group labels, in sentence after sentence
def in_sentence(label: str) -> str:
    """A group label inside a sentence: `Manager` -> `manager`, but `CIO` and `IT staff` kept."""
    return label if any(c.isupper() for c in label[1:]) else label.lower()


def read_option_file(path: Path, what: str, limit: int = 1 << 20) -> str:
    """The text of a small file an option names (a template, a codes file, an instrument), read
    by the input files' rules: a regular file only (a device or a pipe would never end), at
    most `limit` bytes, UTF-8; every refusal one line that names the file."""
    import stat

    from coachkit.errors import InputError

    try:
        found = Path(path).stat()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the {what} ({exc.strerror})") from exc
    if not stat.S_ISREG(found.st_mode):
        raise InputError(f"{path}: the {what} is not a regular file (a device, pipe or folder)")
    try:
        with Path(path).open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise InputError(f"{path}: cannot read the {what} ({exc.strerror})") from exc
    if len(data) > limit:
        raise InputError(f"{path}: the {what} is over {limit:,} bytes; is it the right file?")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: the {what} is not UTF-8 text; save it as UTF-8") from exc


_BREAKS = re.compile(r"[^ /-]+[/-]*|[/-]+| +")  # words, each with the `/` or `-` that ends it


def wrap_label(label: str, width: int) -> list[str]:
    """A label in lines of at most `width` characters, broken after a space, `/` or `-` and
    never inside a word ("Judgement/" then "decision-making"); a word longer than `width` on
    its own is cut, as nothing else fits. Leading spaces (an indent) repeat on every line."""
    indent = label[: len(label) - len(label.lstrip(" "))]
    room = max(width - len(indent), 1)
    lines: list[str] = []
    line = ""
    for piece in _BREAKS.findall(label.strip(" ")):
        if len((line + piece).rstrip()) <= room:
            line += piece
            continue
        if line.strip():
            lines.append(line.rstrip())
        line = piece.lstrip(" ")
        while len(line.rstrip()) > room:
            lines.append(line[:room])
            line = line[room:]
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return [indent + text for text in lines]


# Options the command line writes as a bare flag, as a library call writes them.
_SWITCHES = {
    "--keep-identical": "keep_identical=True",
    "--allow-partial": "allow_partial=True",
    "--no-merge-names": "merge_names=False",
    "--comments": "comments=True",
    "--no-intervals": "intervals=False",
    "--draft-instrument": "the command line's inspect --draft-instrument",
}
_FLAG = re.compile(r"(?<![\w-])--([a-z][a-z-]*)(?![\w-])")


def as_keywords(message: str) -> str:
    """A message that names command-line flags, in a library caller's terms: `--min-raters` is
    `min_raters`, `--allow-partial` is `allow_partial=True` (commands it names, such as
    `coachkit inspect ... --question Q3`, stay as they are)."""
    if "`coachkit " in message or "coachkit inspect" in message or "coachkit analyze" in message:
        return message  # a command to run keeps the command line's words

    def keyword(found: re.Match[str]) -> str:
        flag = found.group(0)
        return _SWITCHES.get(flag, found.group(1).replace("-", "_"))

    return _FLAG.sub(keyword, message)
