"""Short French reasons for a ranked pair, built for the k winners only.

In order: the job ("Même métier : F1703 Maçonnerie", or "Métier proche : F1702 Construction de
routes et voies (domaine F17)"), a close typed title ("Intitulé proche : « maçon coffreur »"),
the offer's required certificates, held or not ("CACES R489 cat. 3 : détenu", "manque : SS4
amiante", a near miss named: "manque : CACES R489 cat. 3 (détient cat. 1)") and its wished ones
held ("PSC1 : détenu (souhaité)"), the distance ("à 4 km", "distance inconnue"), and the offer's
criteria the candidate holds ("résident QPV", "public éligible : RSA").
"""
import math

import numpy as np

from clausematch.matching.engine.building import TitleTable
from clausematch.matching.engine.ranking import Hits, Query
from clausematch.matching.engine.referential import domain_of
from clausematch.matching.engine.scoring import SAME_CODE, SAME_DOMAIN, TEXT
from clausematch.matching.engine.segment import CRITERIA

TEXT_REASON = 0.3  # below this cosine, the titles are not shown as close
CRITERION_REASONS = {
    "deld": "public éligible : DELD", "detld": "public éligible : DETLD", "rsa": "public éligible : RSA",
    "ass": "public éligible : ASS", "aah": "public éligible : AAH",
    "invalidity_pension": "public éligible : pension d'invalidité",
    "other_minimum_income": "public éligible : autre minimum social", "rqth": "public éligible : RQTH",
    "under_26": "public éligible : moins de 26 ans", "over_50": "public éligible : 50 ans ou plus",
    "qpv": "résident QPV", "iae": "public éligible : parcours IAE",
    "structure": "public éligible : accompagné par une structure", "derogation": "public éligible : dérogation",
}


def reasons(hits: Hits, position: int, query: Query, referential, titles: TitleTable,
            certificates=None) -> list[str]:
    segment, row = hits.segment, int(hits.rows[position])
    features = hits.features[position]
    out = []
    job = _job_reason(segment, row, features, query, referential)
    if job:
        out.append(job)
    if features[TEXT] >= TEXT_REASON:
        title = _closest_title(segment, row, query, referential, titles)
        if title:
            out.append(f"Intitulé proche : « {title} »")
    out += certificate_reasons(segment, row, query, certificates or {})
    out.append(distance_reason(float(hits.distances[position])))
    held = int(segment.held[row]) | query.row.held
    listed = int(segment.eligible[row] | segment.required[row]) | query.row.eligible | query.row.required
    out += [CRITERION_REASONS[code] for i, code in enumerate(CRITERIA) if held & listed & (1 << i)]
    return out


def certificate_reasons(segment, row: int, query: Query, certificates) -> list[str]:
    """`certificates` maps a code to its item (label, group, short: referential.certificates),
    a code it does not know is shown as is."""
    items, q = segment.items, query.row
    if not (q.required_items or q.wished_items or len(items["required_items"].vocabulary)
            or len(items["wished_items"].vocabulary)):
        return []  # nothing required or wished on either side: nothing to say
    held = set(q.held_items) | set(items["held_items"].codes(row))
    required = list(q.required_items) + items["required_items"].codes(row)
    wished = list(q.wished_items) + items["wished_items"].codes(row)
    label = lambda code: getattr(certificates.get(code), "label", code)  # noqa: E731
    out = []
    for code in _ordered(required, certificates):
        if code in held:
            out.append(f"{label(code)} : détenu")
            continue
        group = getattr(certificates.get(code), "group", None)
        near = [getattr(certificates.get(h), "short", "") or label(h) for h in _ordered(held, certificates)
                if group and getattr(certificates.get(h), "group", None) == group]
        out.append(f"manque : {label(code)}" + (f" (détient {', '.join(near)})" if near else ""))
    out += [f"{label(code)} : détenu (souhaité)" for code in _ordered(wished, certificates) if code in held]
    return out


def _ordered(codes, certificates) -> list[str]:
    """The codes in the referential's order when it has one, else sorted."""
    order = getattr(certificates, "items", None)
    rank = {code: i for i, code in enumerate(order)} if isinstance(order, dict) else {}
    return sorted(set(codes), key=lambda code: (rank.get(code, len(rank)), code))


def distance_reason(distance: float) -> str:
    if math.isnan(distance):
        return "distance inconnue"
    if distance < 1:
        return "à moins de 1 km"
    return f"à {round(distance)} km"


def _job_reason(segment, row: int, features, query: Query, referential) -> str | None:
    row_codes = _row_codes(segment, row, referential)
    query_codes = [referential.codes[column] for column, _ in query.codes]
    if features[SAME_CODE] > 0:
        shared = next((code for code in query_codes if code in row_codes), None)
        if shared:
            return f"Même métier : {shared} {referential.code_label(shared)}"
    if features[SAME_DOMAIN] > 0:
        query_domains = {referential.domains[column] for column, _ in query.domains}
        related = [code for code in row_codes + query_codes if domain_of(code) in query_domains]
        if related:
            code = related[0]
            return f"Métier proche : {code} {referential.code_label(code)} (domaine {domain_of(code)})"
    return None


def _row_codes(segment, row: int, referential) -> list[str]:
    start, stop = segment.codes.indptr[row], segment.codes.indptr[row + 1]
    order = np.argsort(-segment.codes.data[start:stop], kind="stable")
    return [referential.codes[c] for c in segment.codes.indices[start:stop][order].tolist()]


def _closest_title(segment, row: int, query: Query, referential, titles: TitleTable) -> str | None:
    """The row's typed title sharing most weighted words with the query."""
    start, stop = segment.titles.indptr[row], segment.titles.indptr[row + 1]
    texts = [titles.texts[i] for i in segment.titles.indices[start:stop].tolist()]
    if not texts:
        return None
    query_weights = dict(zip(query.words.tolist(), query.weights.tolist(), strict=True))
    words, mapper = referential.words, referential.mapper

    def closeness(text: str) -> float:
        weights = words.weights(mapper.key(text))
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return sum(w * query_weights.get(column, 0.0) for column, w in weights.items()) / norm

    best = max(texts, key=closeness)
    return best if closeness(best) > 0 else None
