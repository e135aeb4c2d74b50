"""Finding a person: facilitators across their territory, prescribers among their organisation's
people. By name (accents, case and typos tolerated), birth date, phone, e-mail, commune,
prescriber and eligibility state, in a bounded number of statements whatever the number of
candidates.

How a name is found, at a million candidates:
1. retrieval in SQL, through the btree index of `candidate_name_words` (one row per normalised
   word of a person's names, name_words.py): first the people having every typed word exactly,
   then those having, for every typed word, a word starting with its first three letters
   ("dialo" → "dia…" finds "diallo"); each statement is bounded (`RETRIEVED`) and applies the
   scope and the other filters;
2. a rerank of that bounded set with rapidfuzz (`name_score`, 0–100): each typed word against
   the person's closest word, and the names written without spaces ("Ben Ali" / "Benali"); below
   `MIN_SCORE` a person is left out;
3. pagination of the reranked ids, then one statement for the page's rows.
A typo in the first three letters of every word is not found ("Dailo" does not find "Diallo").
Without a name, the list is paginated in SQL, by name.
"""
import re
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import current_app
from rapidfuzz import fuzz

from clausematch.accounts.models import Organisation, Role, User
from clausematch.accounts.permissions import has_role
from clausematch.candidates.eligibility import EligibilityState, SeenBy, eligibility_state_sql, state_filter_sql
from clausematch.candidates.models import Candidate, CandidateNameWord
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
    conditions = [scope.condition, Candidate.merged_into_id.is_(None), *_conditions(filters, scope, today)]
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


def _having_words(conditions_per_word: list) -> list:
    return [Candidate.id.in_(sa.select(CandidateNameWord.candidate_id).where(condition))
            for condition in conditions_per_word]


def _ranked(words: list[str], conditions: list) -> tuple[list[tuple[int, float]], bool]:
    """(candidate id, score) best first, and whether a retrieval hit its bound."""
    columns = (Candidate.id, Candidate.first_name, Candidate.last_name)
    exact = db.session.execute(
        sa.select(*columns).where(*conditions, *_having_words([CandidateNameWord.word == w for w in words]))
        .limit(RETRIEVED)).all()
    found = {row.id: row for row in exact}
    capped = len(exact) >= RETRIEVED
    if not capped:
        prefixes = [_prefix_range(w[:PREFIX_LENGTH]) for w in words]
        fuzzy = db.session.execute(sa.select(*columns).where(*conditions, *_having_words(prefixes))
                                   .limit(RETRIEVED)).all()
        capped = len(fuzzy) >= RETRIEVED
        for row in fuzzy:
            found.setdefault(row.id, row)
    scored = []
    for row in found.values():
        score = name_score(words, row.first_name, row.last_name)
        if score >= MIN_SCORE:
            scored.append((row.id, score, normalise(f"{row.last_name} {row.first_name}")))
    scored.sort(key=lambda item: (-item[1], item[2], item[0]))
    return [(candidate_id, score) for candidate_id, score, _ in scored], capped


def name_score(words: list[str], first_name: str, last_name: str) -> float:
    """0–100: how well the typed words (normalised) name this person. Each typed word is compared
    with the person's closest word (the mean of these); the words written together are compared
    with the names written without spaces, in both orders and each alone ("benali" / "Ben Ali")."""
    own = normalise(f"{first_name} {last_name}").split()
    if not words or not own:
        return 0.0
    per_word = sum(max(fuzz.ratio(word, candidate) for candidate in own) for word in words) / len(words)
    typed = "".join(words)
    forms = (f"{first_name} {last_name}", f"{last_name} {first_name}", last_name, first_name)
    compact = max(fuzz.ratio(typed, normalise(form).replace(" ", "")) for form in forms)
    return max(per_word, compact)


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
