"""Finding a person: facilitators across their territory, prescribers among their organisation's
people. By name (accents, case and typos tolerated), birth date, phone, e-mail, commune,
prescriber and eligibility state, in a bounded number of statements whatever the number of
candidates.

How a name is found, at a million candidates:
1. retrieval in SQL, through the btree indexes of `candidate_name_words` (one row per normalised
   word of a person's names, with its consonant skeleton: name_words.py), in three statements,
   each bounded (`RETRIEVED`), with the scope and the other filters; the words' candidate ids
   are intersected on the index before any candidate row is read (`_having_words`):
   a. the people having every typed word exactly (when this reaches the bound, nothing else);
   b. those having, for every typed word, a word starting with its first three letters ("dialo"
      → "dia…" finds "diallo");
   c. those having, for every typed word, that word or a word whose skeleton (text.skeleton:
      French spellings of one sound folded, doubled letters single, vowels dropped) is the typed
      word's or one typo away from it: "Dailo" → "dl" finds "Diallo", "Ngyuen" → "ngn" finds
      "Nguyen", "Akmara" → "kmr" finds "Kamara", "Filipe" finds "Philippe", "Matrin" finds
      "Martin" (two consonants swapped), "Nartin" too (one consonant changed). Why a skeleton
      rather than the deletion neighbourhood of the first letters: one key per word (one more
      column and index, not several rows per word), equality lookups only, and it also catches
      the sound-alike spellings people type (ph/f, c/k/qu, doubled letters) wherever they are.
      The typed skeleton's neighbours (letters swapped, one added; for 3 letters or more, one
      removed or changed: about 150 keys) are an `IN` list on the index, never a scan;
3. a rerank of that bounded set with rapidfuzz (name_match.name_score, 0–100): each typed word against
   the person's closest word (also compared in their `sound_spelling`s), and the names written
   without spaces ("Ben Ali" / "Benali"); below `MIN_SCORE` a person is left out;
4. pagination of the reranked ids, then one statement for the page's rows.
Not found: a word whose skeleton has fewer than two letters ("Ali", "Kaya", "Faye") with a typo
in its first three letters; a changed consonant in a two-letter skeleton ("Fiallo" for
"Diallo"); and, when a statement reaches its bound (a common name typed alone), whoever it did
not fetch (the page then says to refine: `capped`). Measured on 1 000 000 people in one
territory (benchmarks/people.py, PostgreSQL, 2 shared cores): p50 86 ms, p95 314 ms over 200
queries; first and last name with a typo in the first three letters of the last name: the person
on the first page 21 times in 25; a last name typed alone with such a typo: 3 in 25 (the bound
is reached: many names are as close). See README.
Without a name, the list is paginated in SQL, by name.
"""
import re
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import current_app

from clausematch.accounts.models import Organisation, Role, User
from clausematch.accounts.permissions import has_role
from clausematch.candidates.eligibility import EligibilityState, SeenBy, eligibility_state_sql, state_filter_sql
from clausematch.candidates.models import Candidate, CandidateNameWord
from clausematch.candidates.name_match import name_score, skeleton_keys
from clausematch.candidates.permissions import can_search_candidates
from clausematch.contracts.permissions import territory_of
from clausematch.errors import DomainError, NotAllowed
from clausematch.extensions import db
from clausematch.pagination import Page, paginate
from clausematch.referential.models import Commune
from clausematch.referential.search import search_communes
from clausematch.text import normalise

PREFIX_LENGTH = 3
MAX_WORDS = 4
RETRIEVED = 2_000  # people fetched per retrieval statement before the rerank
MIN_SCORE = 75

_POSTCODE = re.compile(r"^\d[\dAB]\d{3}$")
_LABEL = re.compile(r"^(?P<name>.*?)\s*\((?P<postcode>\d[\dAB]\d{3})\)\s*$")


@dataclass(frozen=True)
class SearchFilters:
    """Checked filters (None or empty: no filter). Phone and e-mail are normalised like the stored
    values (formats.normalise_phone, duplicates.normalise_email); `communes` are INSEE codes."""

    name: str = ""
    birth_date: date | None = None
    phone: str | None = None
    email: str | None = None
    communes: frozenset[str] | None = None
    prescriber_id: int | None = None
    state: EligibilityState | None = None

    @property
    def empty(self) -> bool:
        return not (self.name_words or self.birth_date or self.phone or self.email or self.communes
                    or self.prescriber_id or self.state)

    @property
    def name_words(self) -> list[str]:
        return normalise(self.name).split()[:MAX_WORDS]


@dataclass(frozen=True)
class Scope:
    """Whose people a user searches: a territory (facilitators) or organisations (prescribers);
    `seen_by`: the organisations whose criteria make the shown eligibility state."""

    condition: sa.ColumnElement[bool]
    seen_by: SeenBy = None
    whole_territory: bool = False


def scope_of(user: User) -> Scope:
    if not can_search_candidates(user):
        raise NotAllowed("Vous n'avez pas accès à la recherche de candidats.")
    if has_role(user, Role.FACILITATOR):
        return Scope(Candidate.territory_id == territory_of(user), whole_territory=True)
    ids = sorted(user.organisation_ids)
    return Scope(Candidate.prescriber_id.in_(ids), seen_by=ids)


@dataclass(frozen=True)
class Row:
    candidate_id: int
    first_name: str
    last_name: str
    birth_date: date
    commune: str | None
    postcode: str | None
    prescriber: str
    state: EligibilityState
    score: float | None = None


@dataclass
class Result:
    page: Page
    capped: bool = False  # more people matched the name than were ranked: refine the search
    notes: list[str] = field(default_factory=list)


def search(user: User, filters: SearchFilters, page: int | None, today: date) -> Result:
    """One page of the people `user` may see that match `filters`."""
    scope = scope_of(user)
    conditions = [scope.condition, Candidate.is_active, *_conditions(filters, scope, today)]
    if not filters.name_words:
        stmt = (_listing(scope, today).where(*conditions)
                .order_by(Candidate.last_name, Candidate.first_name, Candidate.id))
        result = paginate(stmt, page)
        return Result(Page(items=[_row(r) for r in result.items], page=result.page, per_page=result.per_page,
                           total=result.total))
    ranked, capped = _ranked(filters.name_words, conditions)
    per_page = current_app.config.get("PAGE_SIZE", 25)
    pages = max(1, -(-len(ranked) // per_page))
    number = min(max(page or 1, 1), pages)
    chosen = ranked[(number - 1) * per_page: number * per_page]
    rows = {}
    if chosen:
        ids = [candidate_id for candidate_id, _ in chosen]
        rows = {r.candidate_id: r for r in map(_row, db.session.execute(
            _listing(scope, today).where(Candidate.id.in_(ids))))}
    items = [_with_score(rows[candidate_id], score) for candidate_id, score in chosen if candidate_id in rows]
    return Result(Page(items=items, page=number, per_page=per_page, total=len(ranked)), capped=capped)


def _listing(scope: Scope, today: date) -> sa.Select:
    return (sa.select(Candidate.id, Candidate.first_name, Candidate.last_name, Candidate.birth_date,
                      Commune.name.label("commune"), Commune.postcodes, Organisation.name.label("prescriber"),
                      eligibility_state_sql(today, seen_by=scope.seen_by).label("state"))
            .join(Organisation, Organisation.id == Candidate.prescriber_id)
            .outerjoin(Commune, Commune.insee_code == Candidate.commune_insee))


def _row(r) -> Row:
    postcode = r.postcodes.split()[0] if r.postcodes else None
    return Row(r.id, r.first_name, r.last_name, r.birth_date, r.commune, postcode, r.prescriber,
               EligibilityState(r.state))


def _with_score(row: Row, score: float) -> Row:
    return Row(**{**row.__dict__, "score": score})


def _conditions(filters: SearchFilters, scope: Scope, today: date) -> list:
    conditions = []
    if filters.birth_date is not None:
        conditions.append(Candidate.birth_date == filters.birth_date)
    if filters.phone:
        conditions.append(Candidate.phone == filters.phone)
    if filters.email:
        conditions.append(Candidate.email == filters.email)
    if filters.communes:
        conditions.append(Candidate.commune_insee.in_(sorted(filters.communes)))
    if filters.prescriber_id is not None:
        conditions.append(Candidate.prescriber_id == filters.prescriber_id)
    if filters.state is not None:
        conditions.append(state_filter_sql(filters.state, today, seen_by=scope.seen_by))
    return conditions


# --- Names -------------------------------------------------------------------------------------

def _prefix_range(prefix: str) -> sa.ColumnElement[bool]:
    """word LIKE 'prefix%' written as a range, which the btree index serves on both databases."""
    word = CandidateNameWord.word
    return sa.and_(word >= prefix, word < prefix[:-1] + chr(ord(prefix[-1]) + 1))


def _having_words(conditions_per_word: list[list]) -> list:
    """The people having, for every typed word, a word meeting one of its conditions. The words'
    candidate ids are intersected on the index of `candidate_name_words` alone (each condition an
    index(-only) scan, a word's conditions a UNION ALL) before any candidate row is read."""
    word = CandidateNameWord.candidate_id
    arms = []
    for alternatives in conditions_per_word:
        if len(alternatives) == 1:
            arms.append(sa.select(word).where(alternatives[0]))
        else:
            either = sa.union_all(*(sa.select(word).where(condition) for condition in alternatives)).subquery()
            arms.append(sa.select(either.c.candidate_id))
    return [Candidate.id.in_(arms[0] if len(arms) == 1 else sa.intersect(*arms))]


def _word_or_skeleton(word: str) -> list:
    keys = skeleton_keys(word)
    if not keys:
        return [_prefix_range(word[:PREFIX_LENGTH])]
    return [CandidateNameWord.word == word, CandidateNameWord.skeleton.in_(keys)]


def _ranked(words: list[str], conditions: list) -> tuple[list[tuple[int, float]], bool]:
    """(candidate id, score) best first, and whether a retrieval hit its bound."""
    columns = (Candidate.id, Candidate.first_name, Candidate.last_name)
    stages = [[[CandidateNameWord.word == w] for w in words], [[_prefix_range(w[:PREFIX_LENGTH])] for w in words]]
    if any(skeleton_keys(w) for w in words):
        stages.append([_word_or_skeleton(w) for w in words])
    found, capped = {}, False
    for number, stage in enumerate(stages):
        rows = db.session.execute(sa.select(*columns).where(*conditions, *_having_words(stage))
                                  .limit(RETRIEVED)).all()
        for row in rows:
            found.setdefault(row.id, row)
        capped = capped or len(rows) >= RETRIEVED
        if number == 0 and capped:
            break  # as many exact matches as can be ranked: the others would rank below
    scored = []
    for row in found.values():
        score = name_score(words, row.first_name, row.last_name)
        if score >= MIN_SCORE:
            scored.append((row.id, score, normalise(f"{row.last_name} {row.first_name}")))
    scored.sort(key=lambda item: (-item[1], item[2], item[0]))
    return [(candidate_id, score) for candidate_id, score, _ in scored], capped


# --- Communes ----------------------------------------------------------------------------------

UNKNOWN_COMMUNE = "Aucune commune ne porte ce nom ou ce code postal."


def communes_named(text: str) -> frozenset[str]:
    """INSEE codes of the communes `text` names exactly: a postcode (every commune it serves), an
    INSEE code, a name (accents and case aside; every namesake), or "Name (postcode)". Nothing is
    guessed: otherwise a DomainError on the field "commune" lists the closest names."""
    text = text.strip()
    labelled = _LABEL.match(text)
    if labelled:
        codes = {c.insee_code for c in _communes_of_postcode(labelled["postcode"])
                 if normalise(c.name) == normalise(labelled["name"])}
    elif _POSTCODE.match(text.upper()):
        codes = {c.insee_code for c in _communes_of_postcode(text)}
        if db.session.get(Commune, text.upper()) is not None:
            codes.add(text.upper())
    else:
        hits = search_communes(text, limit=20)
        codes = {hit.insee_code for hit in hits if normalise(hit.name) == normalise(text)}
        if not codes:
            closest = list(dict.fromkeys(hit.display for hit in hits[:3]))
            raise DomainError(UNKNOWN_COMMUNE + (f" Vouliez-vous dire : {', '.join(closest)} ?" if closest else ""),
                              field="commune")
    if not codes:
        raise DomainError(UNKNOWN_COMMUNE, field="commune")
    return frozenset(codes)


def _communes_of_postcode(postcode: str) -> list[Commune]:
    padded = sa.literal(" ") + Commune.postcodes + sa.literal(" ")
    return list(db.session.scalars(sa.select(Commune).where(padded.contains(f" {postcode} "))))


# --- The name filter of other lists --------------------------------------------------------------

def name_starts_condition(text: str | None, candidate_id=Candidate.id) -> sa.ColumnElement[bool] | None:
    """A WHERE clause for the lists' "name" filter (eligibility queue, orientations, contracts):
    each typed word begins one of the person's name words, accents and case aside ("benoit mar"
    finds Benoît Martin), served by the index of candidate_name_words; None when nothing is typed."""
    words = normalise(text).split()[:MAX_WORDS]
    if not words:
        return None
    return sa.and_(*(candidate_id.in_(sa.select(CandidateNameWord.candidate_id).where(_prefix_range(word)))
                     for word in words))
