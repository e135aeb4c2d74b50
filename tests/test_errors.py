"""errors.Collector and FieldErrors: every refusal gathered, raised once at the end."""
import pytest

from clausematch.errors import Collector, DomainError, FieldErrors, NotAllowed, refusals


def refuse(message: str, field: str | None = None):
    raise DomainError(message, field=field)


def test_the_collector_runs_every_check_and_raises_one_field_errors_with_all_refusals():
    collect = Collector()
    assert collect(lambda: 42) == 42
    assert collect(refuse, "Indiquez le nom.", "name") is None
    collect.add("Téléphone non valide.", field="phone")
    assert collect(refuse, "Refus sans champ.") is None
    with pytest.raises(FieldErrors) as raised:
        collect.raise_if_any()
    assert [(error.message, error.field) for error in raised.value.errors] == [
        ("Indiquez le nom.", "name"), ("Téléphone non valide.", "phone"), ("Refus sans champ.", None)]
    assert raised.value.field == "name"
    assert "Indiquez le nom." in str(raised.value) and "Téléphone non valide." in str(raised.value)


def test_nested_field_errors_are_flattened():
    inner = FieldErrors([DomainError("A", field="a"), DomainError("B", field="b")])
    collect = Collector()

    def nested():
        raise inner

    collect(nested)
    collect.add("C", field="c")
    assert collect.refused("b") and not collect.refused("z")
    with pytest.raises(FieldErrors) as raised:
        collect.raise_if_any()
    assert [error.field for error in raised.value.errors] == ["a", "b", "c"]
    assert [error.field for error in refusals(FieldErrors([inner]))] == ["a", "b"]


def test_nothing_refused_raises_nothing():
    collect = Collector()
    collect(lambda: None)
    collect.raise_if_any()
    assert collect.errors == []


def test_not_allowed_and_other_exceptions_are_not_gathered():
    collect = Collector()

    def forbidden():
        raise NotAllowed()

    with pytest.raises(NotAllowed):
        collect(forbidden)
    with pytest.raises(ZeroDivisionError):
        collect(lambda: 1 / 0)
    assert collect.errors == []


def test_a_single_error_is_its_own_refusal_and_field_errors_needs_one():
    error = DomainError("Seul", field="x")
    assert refusals(error) == [error]
    with pytest.raises(ValueError):
        FieldErrors([])
