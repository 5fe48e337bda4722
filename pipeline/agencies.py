"""Find agencies in Vietnamese text and tell their role (lead = chủ trì, support = phối hợp).

Known bodies come from the gazetteer patterns/agencies.tsv, matched with a spaCy
PhraseMatcher; bodies absent from it are still found by their naming pattern ("Sở", "Ban",
"Trung tâm" … followed by a capitalised name). Roles come from cue words (patterns/roles.tsv).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache
from typing import NamedTuple

import spacy
from spacy.matcher import PhraseMatcher
from spacy.util import filter_spans

from pipeline.metadata import provinces
from pipeline.resources import PatternError, Row, lines, pattern, rows, words
from pipeline.text import fold, normalize, tone_normalize
from schemas.plan import AGENCY_SCOPES, AgencyProfile

ROLELESS = {"vague", "overseer"}
WORD = re.compile(r"\s+([\w']+)")
KINDS = {"so", "ban", "center", "collective", "education", "front", "office", "other", "overseer",
         "party", "press", "security", "association", "vague"}
EFFECTS = {"lead_after", "lead_opening", "lead_before", "support_after", "none_after", "transparent", "intro"}
FIELDS = {"boilerplate", "agencies", "support", "deadline", "result", "note"}


@dataclass(frozen=True)
class Agency:
    name: str        # canonical
    kind: str
    scope: str = "province"


@dataclass
class Mention:
    start: int
    end: int
    agencies: tuple[Agency, ...]
    raw: str

    @property
    def roleless(self) -> bool:
        return all(a.kind in ROLELESS for a in self.agencies)


def matching_form(text: str) -> str:
    """Normalized text with hyphens spaced, the form aliases and texts are matched in."""
    return re.sub(r"\s*[-–—]\s*", " - ", normalize(text))


class Gazetteer:
    def __init__(self):
        self.nlp = spacy.blank("xx")
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.entries: dict[str, tuple[Agency, ...]] = {}
        self.by_fold: dict[str, tuple[Agency, ...]] = {}
        for row in rows("agencies.tsv"):
            canonical, kind, *rest = row
            row.one_of(kind, KINDS, "kind")
            scope = row.one_of(rest[1] if len(rest) > 1 and rest[1] else "province", AGENCY_SCOPES, "scope")
            agencies = tuple(Agency(n.strip(), kind, scope) for n in canonical.split(" + "))
            aliases = ([] if " + " in canonical else [canonical]) + \
                [a for a in (rest[0].split(" | ") if rest else []) if a.strip()]
            key = f"A{len(self.entries)}"
            self.entries[key] = agencies
            forms = {matching_form(a) for a in aliases}
            if kind not in ROLELESS:     # a centrally-run city's bodies: "Thanh tra thành phố"
                forms |= {f[:-len(first)] + other for f in forms for first, other in province_word_pairs()
                          if f.lower().endswith(" " + first)}
            self.matcher.add(key, [self.nlp.make_doc(f) for f in forms])
            for f in forms:
                self.by_fold[fold(f)] = agencies
        self.stop: dict[str, list[list[str]]] = {}     # first syllable → the words it may begin
        for word in words("name_stopwords.txt"):
            first, *rest = word.split("_")
            self.stop.setdefault(first, []).append(rest)
        head = "|".join(sorted(map(re.escape, lines("agency_heads.txt")), key=len, reverse=True))
        lower = "|".join(sorted((re.escape(h) for h in lines("agency_heads.txt") if "lower" in head_flags(h)),
                                key=len, reverse=True))
        self.unknown = re.compile(rf"(?<!\w)(?:(?:{head})(?=\s+[A-ZĐÀ-Ỹ])|"
                                  rf"(?:{lower})(?=(?:\s+[a-zà-ỹđ]+){{1,2}}\s+[A-ZĐÀ-Ỹ]))")
        self.head_start = re.compile(rf"(?:{head})(?!\w)")
        self.vague = next(a for e in self.entries.values() for a in e if a.kind == "vague")

    def lookup(self, name: str) -> tuple[Agency, ...] | None:
        return self.by_fold.get(fold(matching_form(name)))

    def mentions(self, text: str) -> list[Mention]:
        """Agency mentions in `text`, which must already be in matching form."""
        doc = self.nlp.make_doc(text)
        by_span: dict[tuple[int, int], str] = {}
        for m_id, s, e in self.matcher(doc):
            by_span.setdefault((s, e), self.nlp.vocab.strings[m_id])
        found, branched = [], {}
        for sp in filter_spans([doc[s:e] for s, e in by_span]):   # longest, leftmost first
            if pattern("common_noun_before").search(text, 0, sp.start_char):
                continue
            branch = pattern("branch_after").match(text, sp.end_char)
            if branch:           # the body's branch follows: one body, found below by its head
                branched[branch.end()] = sp.start_char
                continue
            found.append(Mention(sp.start_char, sp.end_char,
                                 as_printed(self.entries[by_span[(sp.start, sp.end)]], sp.text), sp.text))
        found += self._list_expansions(text, found)
        found = self._local_collectives(text, found)
        found += self._unknown(text, found)
        for m in found:          # "Ngân hàng Nhà nước Việt Nam - Chi nhánh Khu vực II", as printed
            if m.start in branched:
                m.start = branched[m.start]
                m.raw = text[m.start:m.end]
                m.agencies = (Agency(m.raw, "other"),)
        groups = self._collective_groups(text, found)     # "… thuộc Chính phủ" is in its group
        found = [f for f in found if not any(g.start <= f.start and f.end <= g.end for g in groups)] + groups
        found.sort(key=lambda m: m.start)
        return self._without_appositions(text, self._vague_tails(text, found))

    def _covered(self, found: list[Mention], start: int, end: int) -> bool:
        return any(m.start < end and start < m.end for m in found)

    def _list_expansions(self, text: str, found: list[Mention]) -> list[Mention]:
        """"Các sở: Nông nghiệp và Môi trường, Công Thương, Tài chính" → three Sở."""
        out = []
        for m in pattern("sub_list").finditer(text):
            if self._covered(found, m.start(), m.end() + 1) and not text[m.end() - 1] == ":":
                continue
            pos, agencies = m.end(), []
            while True:
                match = self._longest_prefix(text, pos, m.group("head") + " ")
                if not match:
                    break
                agency, length = match
                agencies.append(agency)
                pos += length
                sep = pattern("sub_list_separator").match(text, pos)
                if not sep:
                    break
                pos = sep.end()
            if len(agencies) >= 1:
                end = pos
                out.append(Mention(m.start(), end, tuple(agencies), text[m.start():end]))
        # remove mentions the expansion covers
        for exp in out:
            found[:] = [f for f in found if not (exp.start <= f.start and f.end <= exp.end)]
        return out

    def _local_collectives(self, text: str, found: list[Mention]) -> list[Mention]:
        """"UBND các xã, phường", "Ủy ban nhân dân các huyện, thị xã và thành phố": the
        collective of the units' level (patterns/local_levels.tsv); it replaces shorter
        gazetteer matches inside it."""
        units, names = local_levels().units, local_levels().names
        for m in local_pattern().finditer(text):
            words = [u.lower() for u in unit_pattern().findall(m.group("units"))]
            if not m.group("q") and len(words) < 2:
                place = pattern("place_name").match(text, m.end())
                if place and m.group().startswith("Ủy ban") and not self._covered(found, m.start(), place.end()) \
                        and fold(place.group("name")) not in provinces():   # a province's committee: the issuer
                    raw = text[m.start():place.end()]      # "Ủy ban nhân dân phường Xuân Hương", as named
                    found.append(Mention(m.start(), place.end(), (Agency(raw, "other"),), raw))
                continue         # "Ủy ban nhân dân thành phố": the issuing city, not a collective
            level = "district" if any(units[w] == "district" for w in words) else "commune"
            found = [f for f in found if not (m.start() <= f.start and f.end <= m.end())]
            if self._covered(found, m.start(), m.end()):
                continue
            found.append(Mention(m.start(), m.end(), (Agency(names[level], "collective"),), m.group()))
        return found

    def _longest_prefix(self, text: str, pos: int, prefix: str) -> tuple[Agency, int] | None:
        rest = text[pos:pos + 80]
        best = None
        for cut in range(len(rest), 0, -1):
            if cut < len(rest) and rest[cut].isalnum():
                continue
            hit = self.lookup(prefix + rest[:cut])
            if hit and hit[0].kind == "so":
                best = (hit[0], cut)
                break
        return best

    def _unknown(self, text: str, found: list[Mention]) -> list[Mention]:
        """Bodies absent from the gazetteer: a head noun and a capitalised name."""
        out = []
        for m in self.unknown.finditer(text):
            overseers = [f for f in found if m.start() < f.start <= m.end() + 1
                         and all(a.kind == "overseer" for a in f.agencies)]
            if overseers:          # "Văn phòng Chính phủ", "Ban Tuyên giáo Tỉnh ủy": the overseer's office
                found[:] = [f for f in found if f not in overseers]
            if self._covered(found + out, m.start(), m.end()):   # not inside a name found
                continue
            if pattern("plural_before").search(text, 0, m.start()) and collective_head().match(text, m.start()):
                continue     # "các Trường Đại học, Cao đẳng": a collective, not one body
            name_end, lower_run = m.end(), 0
            for w in pattern("name_continues").finditer(text[m.end():]):
                word = w.group(1)
                if w.start() != name_end - m.end():
                    break
                if re.match(r",|\s+và\s", w.group(0)) and (self.head_start.match(text, m.end() + w.start(1))
                                                         or self._covered(found, m.end() + w.start(1), m.end() + w.end(1))):
                    break        # "Sở A, Sở B", "Hội A và Hội B": another body ends the name
                if word[0].isupper():
                    lower_run = 0
                elif pattern("name_scope").fullmatch(word) and not pattern("joined_by").match(w.group(0).strip()):
                    name_end = m.end() + w.end()
                    break        # "… tỉnh" closes the name
                elif self._stops(word, text[m.end() + w.end():]) or lower_run >= 3 \
                        or pattern("joined_by").match(w.group(0).strip()):
                    break
                else:
                    lower_run += 1
                name_end = m.end() + w.end()
            fields = pattern("name_fields").match(text, name_end)    # "…đầu tư, thương mại và du lịch tỉnh"
            if fields and not any(self._stops(w.group(1), text[name_end + w.end():])
                                  for w in WORD.finditer(fields.group())):
                name_end = fields.end()
            if name_end > m.end() and not self._covered(found + out, m.start(), name_end):
                raw = text[m.start():name_end]
                out.append(Mention(m.start(), name_end, (Agency(raw, "other"),), raw))
        return out

    def _collective_groups(self, text: str, found: list[Mention]) -> list[Mention]:
        """"Các doanh nghiệp công nghệ số", "các cơ sở đào tạo đại học, trường cao đẳng":
        "các" + a head of collective_heads.txt + its qualifying words, where no name covers it.
        Heads that cannot stand alone share the next head's words ("các phòng, đơn vị trực thuộc
        Sở" is one group). A generic force or sector needs no "các" and stays as printed
        ("lực lượng Công an" → "Lực lượng Công an", "ngành giáo dục" → "Ngành giáo dục")."""
        out: list[Mention] = []
        starts = [(m.start(), m.end(), "Các ") for m in pattern("collective_start").finditer(text)]
        starts += [(m.start(), m.start(), "") for m in generic_head().finditer(text)
                   if not pattern("not_generic_before").search(text, 0, m.start())]
        for start, pos, plural in sorted(starts):
            if self._covered(out, start, pos + 1):
                continue     # "các hiệp hội ngành hàng": a generic head inside a group
            shared = ""      # bare heads waiting for the next head's words
            while True:
                named = next((f for f in found + out if f.start <= pos < f.end), None)
                if named:            # a listed collective and the names right after it: others may follow
                    end, shared = named.end, ""
                    while adjacent := next((f for f in found if f.start > end and text[end:f.start].isspace()), None):
                        end = adjacent.end
                else:
                    head = collective_head().match(text, pos)
                    if not head:
                        break
                    words = head.group().lower()
                    end = self._qualifiers_end(text, head.end(), found)
                    qualified = end > head.end() and not pattern("scope_only").match(text[head.end():end])
                    if plural and qualified:     # "các trường đại học, cao đẳng"
                        while coordinated := self._coordinated(text, end, found):
                            end = self._qualifiers_end(text, coordinated, found)
                        qualified = end > head.end() and not pattern("scope_only").match(text[head.end():end])
                    if qualified or (plural and words in collective_heads_flagged("alone")):
                        named_as = shared + words + text[head.end():end]
                        name = plural + named_as if plural else named_as[0].upper() + named_as[1:]
                        out.append(Mention(start, end, (Agency(name, "collective"),), text[start:end]))
                        shared = ""
                    elif plural and text.startswith(",", end):
                        shared += words + ", "
                    while not plural and qualified and (coordinated := self._coordinated(text, end, found)):
                        other = text[end + 1:coordinated].strip()     # "lực lượng quân đội, công an"
                        out.append(Mention(coordinated - len(other), coordinated,
                                           (Agency(words[0].upper() + words[1:] + " " + other, "collective"),), other))
                        end = coordinated
                after = pattern("collective_next").match(text, end)
                if not after:
                    break
                pos = after.end()
                if not shared:
                    start = pos
        return out

    def _qualifiers_end(self, text: str, pos: int, found: list[Mention]) -> int:
        """Where the words qualifying a collective's head end: at most eight, up to a stop word,
        "và", punctuation, another head or another name, or after "tỉnh", a trailing function
        word left out; "thuộc" closes them with the body or capitalised name after it ("các cơ
        quan chức năng thuộc Chính phủ", "các đơn vị trực thuộc Sở")."""
        end, ends = pos, [pos]
        while len(ends) <= 8 and (w := WORD.match(text, end)):
            if pattern("member_of").search(text, pos, end):     # "… thuộc Chính phủ", "… trực thuộc Sở"
                body = next((f.end for f in found if f.start == w.start(1)), None)
                name = pattern("capitalised_words").match(text, w.start(1))
                if body or name:
                    return body or name.end()
            if not self._qualifies(text, w, found, first=end == pos):
                break
            end = w.end()
            ends.append(end)
            if pattern("name_scope").fullmatch(w.group(1)):
                break        # "… trên địa bàn tỉnh" closes the group
        while len(ends) > 1 and pattern("dangling_word").fullmatch(text[ends[-2]:ends[-1]].strip()):
            ends.pop()
        return ends[-1]

    def _qualifies(self, text: str, w: re.Match, found: list[Mention], first: bool = False) -> bool:
        """Whether the word `w` may qualify a collective's head; the `first` word after it may
        not be another head ("các cơ quan đơn vị": a list of heads; "lực lượng biên phòng",
        "hiệp hội ngành hàng" go on)."""
        word, at = w.group(1), w.start(1)
        return not (pattern("joined_by").fullmatch(word) or self._stops(word, text[w.end():])
                    or self._covered(found, at, at + len(word))
                    or (first and collective_head().match(text, at) and not generic_head().match(text, at)))

    def _coordinated(self, text: str, pos: int, found: list[Mention]) -> int | None:
        """The end of ", cao đẳng" when one or two qualifying words follow a comma at `pos` and
        the group closes after them (punctuation, a stop word, a function word, the end): words
        coordinated with the qualifying words before ("các trường đại học, cao đẳng")."""
        if not text.startswith(",", pos):
            return None
        end = pos + 1
        for _ in range(2):
            w = WORD.match(text, end)
            if not w or not self._qualifies(text, w, found, first=end == pos + 1):
                return None
            end = w.end()
            following = WORD.match(text, end)
            if not following or not self._qualifies(text, following, found) \
                    or pattern("dangling_word").fullmatch(following.group(1)):
                return end
        return None

    def _stops(self, word: str, after: str) -> bool:
        """Whether `word` (followed by `after`) begins one of the words that end a name."""
        following = re.findall(r"[\w']+", after.lower())
        return any(rest == following[:len(rest)] for rest in self.stop.get(word.lower(), ()))

    def _without_appositions(self, text: str, found: list[Mention]) -> list[Mention]:
        """Bodies opening brackets right after a body are its unit, parent or members, not
        bodies of their own: "Văn phòng Ủy ban nhân dân tỉnh (Trung tâm Phục vụ hành chính
        công)"; "(thông qua Sở Nội vụ)" is not one."""
        spans = []
        for before, first in zip(found, found[1:]):
            opening = pattern("apposition").match(text, before.end)
            if opening and opening.end() == first.start and ")" in text[first.start:]:
                spans.append((first.start, text.index(")", first.start)))
        return [m for m in found if not any(start <= m.start and m.end <= end for start, end in spans)]

    def _vague_tails(self, text: str, found: list[Mention]) -> list[Mention]:
        """A collective followed by "(có) liên quan" is a vague reference."""
        for m in found:
            tail = pattern("vague_tail").match(text, m.end)
            if tail:
                m.end = tail.end()
                m.agencies = (self.vague,)
        return found


@cache
def head_flags(head: str | None = None) -> dict[str, set[str]] | set[str]:
    """The flags of agency_heads.txt (second column, comma-separated: lower, central): of one
    head, or head → flags for all."""
    flags = {row[0]: {row.one_of(f.strip(), {"lower", "central"}, "flag")
                      for f in (row[1] if row[1:] else "").split(",") if f.strip()}
             for row in rows("agency_heads.txt")}
    return flags if head is None else flags.get(head, set())


def describe(name: str) -> AgencyProfile:
    """The kind and scope of a canonical agency name as the pipeline finds it: the gazetteer
    row that names it; else a named local body ("Ủy ban nhân dân phường Xuân Hương": the
    unit's level from local_levels.tsv, a centrally-run city's name being a province); else an
    open-vocabulary body of kind "other", central when its head noun is flagged so ("Bộ …")."""
    hit = gazetteer().lookup(name)
    if hit and len(hit) == 1:
        return AgencyProfile(hit[0].kind, hit[0].scope)
    heads = [h for h in head_flags() if name == h or name.startswith(h + " ")]
    head = max(heads, key=len, default="")
    unit = re.match(rf"\s.*?(?<!\w)((?i:{unit_pattern().pattern}))\s+(?=[A-ZĐÀ-Ỹ])(.*)",
                    name[len(head):]) if head else None
    if unit:
        level = local_levels().units[unit.group(1).lower()]
        return AgencyProfile("other", "province" if unit.group(2) in words_of("provinces.txt") else level)
    return AgencyProfile("other", "central" if "central" in head_flags(head) else "province")


@cache
def words_of(name: str) -> frozenset[str]:
    """The entries of a one-entry-per-line data file."""
    return frozenset(lines(name))


def profiles(names) -> dict[str, AgencyProfile]:
    """describe() of each name."""
    return {n: describe(n) for n in names}


class LocalLevels(NamedTuple):
    """The grammar of local_levels.tsv."""
    units: dict[str, str]                     # unit word → level
    names: dict[str, str]                     # level → canonical collective
    merged: list[tuple[str, str, str]]        # (date, from level, to level)
    collective: Row                           # the row of the collective's regex
    province: list[str]                       # the words of the province level, canonical first


@cache
def local_levels() -> LocalLevels:
    units, names, merged, collective, province = {}, {}, [], None, []
    levels = {"district", "commune"}
    for row in rows("local_levels.tsv"):
        kind, *cells = row
        row.one_of(kind, {"unit", "level", "merged", "collective", "province"}, "row kind")
        if len(cells) != {"merged": 3, "collective": 1, "province": 1}.get(kind, 2):
            row.fail(f"wrong number of columns for a {kind} row")
        if kind == "collective":
            collective = row
        elif kind == "province":
            province.append(cells[0])
        elif kind == "unit":
            units[cells[0]] = row.one_of(cells[1], levels, "level")
        elif kind == "level":
            names[row.one_of(cells[0], levels, "level")] = cells[1]
        else:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", cells[0]):
                row.fail(f"bad date {cells[0]!r} (expected YYYY-MM-DD)")
            merged.append((cells[0], row.one_of(cells[1], levels, "level"), row.one_of(cells[2], levels, "level")))
    if collective is None:
        raise PatternError("local_levels.tsv: no `collective` row")
    return LocalLevels(units, names, merged, collective, province)


@cache
def unit_pattern() -> re.Pattern:
    """The unit words of local_levels.tsv ("thị xã" before "xã")."""
    return re.compile("|".join(sorted(map(re.escape, local_levels().units), key=len, reverse=True)), re.I)


@cache
def local_pattern() -> re.Pattern:
    row = local_levels().collective
    return row.regex(row[1].replace("%UNIT", unit_pattern().pattern))


def local_level_in_force(name: str, issued: str | None) -> str:
    """The collective a plan issued on `issued` means by `name`: after 1 July 2025 the
    district level is gone, and "Ủy ban nhân dân cấp huyện" is the commune level."""
    levels = local_levels()
    for since, old, new in levels.merged:
        if name == levels.names[old] and issued and issued >= since:
            return levels.names[new]
    return name


@cache
def province_word_pairs() -> tuple[tuple[str, str], ...]:
    """(the canonical province word, another word for the province level): ("tỉnh", "thành phố")."""
    words = local_levels().province
    return tuple((words[0], other) for other in words[1:])


def as_printed(agencies: tuple[Agency, ...], raw: str) -> tuple[Agency, ...]:
    """A province body written with a centrally-run city's word keeps it ("Thanh tra thành phố")."""
    for first, other in province_word_pairs():
        if fold(raw).endswith(" " + fold(other)):
            return tuple(replace(a, name=a.name[:-len(first)] + raw[-len(other):])
                         if a.name.endswith(" " + first) and a.kind != "collective" else a for a in agencies)
    return agencies


@cache
def collective_heads_flagged(flag: str) -> frozenset[str]:
    """The heads of collective_heads.txt with a flag ("alone", "generic")."""
    return frozenset(row[0] for row in rows("collective_heads.txt")
                     if row[1:] and row.one_of(row[1], {"alone", "generic"}, "flag") == flag)


@cache
def generic_head() -> re.Pattern:
    heads = sorted(map(re.escape, collective_heads_flagged("generic")), key=len, reverse=True)
    return re.compile(rf"(?<!\w)(?:{'|'.join(heads)})(?!\w)", re.I)


@cache
def collective_head() -> re.Pattern:
    heads = sorted(map(re.escape, lines("collective_heads.txt")), key=len, reverse=True)
    return re.compile(rf"(?:{'|'.join(heads)})(?!\w)", re.I)


@cache
def gazetteer() -> Gazetteer:
    return Gazetteer()


@cache
def _cues() -> dict[str, list[str]]:
    """Cue words by effect, longest first (roles.tsv)."""
    out: dict[str, list[str]] = {effect: [] for effect in EFFECTS}
    for row in rows("roles.tsv"):
        cue, effect = row
        out[row.one_of(effect, EFFECTS, "effect")].append(cue)
    for effect in out:
        out[effect].sort(key=len, reverse=True)
    return out


@cache
def field_regex(kind: str) -> str:
    """The regular expressions of one kind of fields.tsv as one."""
    regexes = []
    for row in rows("fields.tsv"):
        if row.one_of(row[0], FIELDS, "kind") == kind:
            regexes.append(f"(?:{row.regex(row[1]).pattern})")
    return "|".join(regexes)


@cache
def _cue_pattern(effect: str, at: str) -> re.Pattern:
    alternatives = "|".join(re.escape(fold(c)) for c in _cues()[effect])
    return re.compile({"end": rf"(?:^|\W)(?:{alternatives})\W*$", "start": rf"^\W*(?:{alternatives})(?:\W|$)",
                       "whole": rf"^\W*(?:{alternatives})\W*$"}[at])


@cache
def _special(effect: str) -> re.Pattern:
    return re.compile(field_regex(effect), re.I)


def is_boilerplate(text: str) -> bool:
    """Closing boilerplate ("Trong quá trình thực hiện, nếu có khó khăn, vướng mắc …")."""
    return bool(_special("boilerplate").search(tone_normalize(text)))


def closing_start(form: str) -> int | None:
    """Where the sentence holding the closing boilerplate begins in `form` (already in
    matching form), or None."""
    m = _special("boilerplate").search(form)
    return max((b.end() for b in pattern("sentence_end").finditer(form, 0, m.start())), default=0) if m else None




def chains(text: str, mentions: list[Mention]) -> list[list[Mention]]:
    """Group mentions written as one list ("Sở A, Sở B và các Sở C")."""
    out: list[list[Mention]] = []
    transparent = _cue_pattern("transparent", "end")
    for m in mentions:
        if out:
            gap = text[out[-1][-1].end:m.start]
            gap_clean = transparent.sub("", fold(gap)) if transparent.search(fold(gap)) else gap
            new_clause = ";" in gap and _cue_pattern("lead_before", "start").search(
                fold(text[m.end:m.end + 30]))      # "…; Sở Y tế chủ trì …" starts a new clause
            joiner = pattern("list_joiner")
            if (joiner.match(gap) or joiner.match(gap_clean)) and not new_clause:
                out[-1].append(m)
                continue
        out.append([m])
    return out


def role_of(text: str, chain: list[Mention], previous_end: int, default: str | None,
            after_no_role: bool = False) -> str | None:
    """Role of a listed group of agencies from the words around it. `after_no_role`: the
    list before it took no role; partners named right after it ("… do Sở A phối hợp với các
    đơn vị B đề xuất", nothing but the cue between) are Sở A's partners, not the task's."""
    left = text[previous_end:chain[0].start]
    cut = max((m.end() for m in pattern("clause_boundary").finditer(left)), default=0)
    clause = fold(left[cut:])
    if "," in clause and _cue_pattern("intro", "start").search(clause):
        clause = clause[clause.rindex(",") + 1:]     # "Căn cứ …, các Sở …": subject after the intro
    clause = _cue_pattern("transparent", "end").sub("", clause)
    right = fold(text[chain[-1].end:chain[-1].end + 40])
    before = _cue_pattern("transparent", "end").sub("", fold(left))   # "phối hợp với đầu mối …"
    if _cue_pattern("support_after", "end").search(before):   # "phối hợp với …", "Phối hợp: …"
        partner_of_previous = after_no_role and _cue_pattern("support_after", "whole").search(before) \
            and not pattern("clause_boundary").search(left) and "," not in left
        return None if partner_of_previous else "support"
    no_role = _cue_pattern("none_after", "end").search(clause)
    leads = _cue_pattern("lead_after", "end").search(clause) or _cue_pattern("lead_opening", "whole").search(clause)
    if no_role and not (leads and leads.start() < no_role.start()):   # "giao cho" leads, "cho" does not
        return None
    if _cue_pattern("lead_before", "start").search(right):
        return "lead"
    if leads:
        return "lead"
    if not clause.strip(" ,-*+()"):
        if default:
            return default
        after = fold(text[chain[-1].end:chain[-1].end + 30]).lstrip(" ,")
        return "lead" if re.match(r"\w", after) and not pattern("not_verb").match(after) else None
    return default


def find_roles(text: str, default: str | None = None,
               aliases: dict[str, set[str]] | None = None) -> tuple[list[str], list[str]]:
    """(lead, support) canonical names in a piece of text.

    `default` is the role of a list with no cue around it: None in prose (only the subject
    of a clause leads there), "lead"/"support" in a table column of that role. `aliases`
    collects, per canonical name, the mentions seen (tone marks normalized, abbreviations
    expanded).
    """
    form = matching_form(text)
    mentions = gazetteer().mentions(form)
    if aliases is not None:
        for m in mentions:
            if len(m.agencies) == 1 and not m.roleless:
                aliases.setdefault(m.agencies[0].name, set()).add(m.raw)
    lead: list[str] = []
    support: list[str] = []
    closing = closing_start(form)     # from there every body it names leads (EXTRACTION §3)
    previous_end, role = 0, "first"
    for chain in chains(form, [m for m in mentions if closing is None or m.start < closing]):
        role = role_of(form, chain, previous_end, default, after_no_role=role is None)
        previous_end = chain[-1].end
        names = [a.name for m in chain for a in m.agencies if a.kind not in ROLELESS]
        if role == "lead":
            lead.extend(names)
        elif role == "support":
            support.extend(names)
    if closing is not None:
        lead.extend(a.name for m in mentions if m.start >= closing for a in m.agencies if a.kind not in ROLELESS)
    lead = unique(lead)
    return lead, [s for s in unique(support) if s not in lead]


def agencies_in(text: str) -> list[str]:
    """Every agency named in `text`, canonical, in order (roleless ones left out)."""
    form = matching_form(text)
    return unique([a.name for m in gazetteer().mentions(form) for a in m.agencies
                   if a.kind not in ROLELESS])


def only_agencies(text: str) -> bool:
    """Whether `text` is nothing but a list of agencies (an attribution heading)."""
    form = matching_form(text).rstrip(" :.")
    mentions = gazetteer().mentions(form)
    if not mentions:
        return False
    rest, pos = [], 0
    for m in mentions:
        rest.append(form[pos:m.start])
        pos = m.end
    rest.append(form[pos:])
    leftover = fold(" ".join(rest))
    leftover = _cue_pattern("transparent", "end").sub(" ", leftover)
    return not re.sub(r"[\s,;.:()\-]|\bva\b|\bcac\b|\bgiao\b|\bde nghi\b", "", leftover)


def unique(names: list[str]) -> list[str]:
    seen, out = set(), []
    for n in names:
        if n not in seen:
            seen.add(n)
            out.append(n)
    return out
