"""The form macros (labels, help, errors tied to fields) and SQL pagination."""
import re

import pytest
import sqlalchemy as sa
from factories import TerritoryFactory
from flask import render_template_string
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Optional

from clausematch.accounts.models import Territory
from clausematch.pagination import paginate

FORM_PAGE = """{% from "macros/forms.html" import errors_summary, field, submit %}
{{ errors_summary(form) }}
{% for f in form %}{{ field(f, autocomplete="off") if f.name == "email" else field(f) }}{% endfor %}
{{ submit("Enregistrer") }}"""


class ExampleForm(FlaskForm):
    email = StringField("Adresse électronique", validators=[DataRequired("Saisissez une adresse."),
                                                           Email("Adresse invalide.")],
                        description="Votre adresse professionnelle.")
    note = TextAreaField("Commentaire", validators=[Optional()])
    kind = SelectField("Type", choices=[SelectChoice("a", "Premier"), SelectChoice("b", "Second")])
    mode = RadioField("Mode", choices=[SelectChoice("direct", "Embauche directe"), SelectChoice("etti", "ETTI")],
                      validators=[DataRequired("Choisissez un mode.")])
    agree = BooleanField("J'accepte", validators=[DataRequired("Cochez la case.")])
    token = HiddenField()


def render_form(app, data=None):
    with app.test_request_context(method="POST", data=data or {}):
        form = ExampleForm()
        form.validate()
        return render_template_string(FORM_PAGE, form=form)


def test_fields_have_labels_and_required_markers(app):
    html = render_form(app, {"email": "a@exemple.fr", "kind": "a", "mode": "direct", "agree": "y"})

    assert re.search(r'<label for="email" class="champ__libelle">Adresse électronique '
                     r'<span class="champ__obligatoire">\(obligatoire\)</span></label>', html)
    assert '<label for="note" class="champ__libelle">Commentaire</label>' in html
    assert re.search(r'<textarea[^>]*id="note"', html) and re.search(r'<select[^>]*id="kind"', html)
    assert re.search(r'<fieldset class="champ champ--groupe" id="mode">\s*<legend class="champ__libelle">Mode', html)
    assert re.search(r'<input[^>]*id="agree"[^>]*>\s*<label for="agree"', html)
    assert re.search(r'<input aria-describedby="email-aide" [^>]*id="email"', html)
    assert '<p id="email-aide" class="champ__aide">Votre adresse professionnelle.</p>' in html
    assert 'autocomplete="off"' in html
    assert 'aria-invalid' not in html and "resume-erreurs" not in html
    assert re.search(r'<input id="token" name="token" type="hidden"', html)
    assert '<button type="submit" class="bouton">Enregistrer</button>' in html


def test_errors_are_linked_to_fields_and_summarised(app):
    html = render_form(app, {"email": "pas-une-adresse", "kind": "b"})

    email = re.search(r'<input [^>]*id="email"[^>]*>', html).group(0)
    assert 'aria-describedby="email-aide email-erreurs"' in email and 'aria-invalid="true"' in email
    assert re.search(r'<div id="email-erreurs" class="champ__erreurs">\s*<p class="champ__erreur">'
                     r'<span class="visuellement-cache">Erreur&nbsp;: </span>Adresse invalide\.</p>', html)
    radio = re.search(r'<input[^>]*id="mode-0"[^>]*>', html).group(0)
    assert 'aria-describedby="mode-erreurs"' in radio and 'aria-invalid="true"' in radio
    summary = re.search(r'<div class="resume-erreurs".*?</div>', html, re.S).group(0)
    assert 'role="alert"' in summary and "Le formulaire contient 3 erreurs" in summary
    assert '<a href="#email">Adresse électronique&nbsp;: Adresse invalide.</a>' in summary
    assert '<a href="#mode-0">Mode&nbsp;: Choisissez un mode.</a>' in summary
    assert '<a href="#agree">J&#39;accepte&nbsp;: Cochez la case.</a>' in summary


@pytest.fixture
def seven_territories(db):
    for n in range(7):
        TerritoryFactory(name=f"Territoire {n:02d}")
    db.session.commit()
    return sa.select(Territory).order_by(Territory.name)


def test_paginate_counts_and_slices_in_sql(seven_territories):
    page = paginate(seven_territories, 3, per_page=3)

    assert [t.name for t in page.items] == ["Territoire 06"]
    assert (page.page, page.pages, page.total) == (3, 3, 7)
    assert page.has_prev and not page.has_next and page.prev_num == 2


@pytest.mark.parametrize("asked, given", [(None, 1), (0, 1), (-4, 1), (99, 3)])
def test_paginate_keeps_the_page_in_range(seven_territories, asked, given):
    assert paginate(seven_territories, asked, per_page=3).page == given


def test_paginate_returns_rows_for_several_columns_and_handles_no_result(db, seven_territories):
    rows = paginate(sa.select(Territory.id, Territory.name).order_by(Territory.name), 1, per_page=2).items
    empty = paginate(sa.select(Territory).where(Territory.name == "aucun"), 1, per_page=2)

    assert [row.name for row in rows] == ["Territoire 00", "Territoire 01"]
    assert (empty.items, empty.pages, empty.total, empty.has_next) == ([], 1, 0, False)


def test_pagination_macro_keeps_filters_in_links(app, seven_territories):
    template = ('{% from "macros/pagination.html" import pagination %}'
                '{{ pagination(page, "main.buyer_home", q="béton") }}')
    with app.test_request_context():
        middle = render_template_string(template, page=paginate(seven_territories, 2, per_page=3))
        single = render_template_string(template, page=paginate(seven_territories, 1, per_page=10))

    assert '<nav class="pagination" aria-label="Pagination">' in middle
    assert "Page 2 sur 3" in middle
    assert '<a href="/acheteur?page=1&amp;q=b%C3%A9ton" rel="prev">Page précédente</a>' in middle
    assert '<a href="/acheteur?page=3&amp;q=b%C3%A9ton" rel="next">Page suivante</a>' in middle
    assert "Page 1 sur 1" in single and "Page suivante" not in single
