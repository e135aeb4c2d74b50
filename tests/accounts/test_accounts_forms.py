"""The account forms speak French, including WTForms' built-in messages."""
from werkzeug.datastructures import MultiDict

from clausematch.web.accounts.forms import ChangePasswordForm, ForgotPasswordForm, InvitationForm, NewPasswordForm


def posted(app, form_class, **data):
    with app.test_request_context(method="POST", data=MultiDict(data)):
        form = form_class()
        form.validate()
        return form.errors


def test_new_password_rules(app):
    assert posted(app, NewPasswordForm, password="court", confirm="court") == {
        "password": ["Le mot de passe doit contenir entre 12 et 128 caractères."]}
    assert posted(app, NewPasswordForm, password="x" * 129, confirm="x" * 129)["password"]
    assert posted(app, NewPasswordForm, password="assez long pour passer", confirm="autre chose encore") == {
        "confirm": ["Les deux mots de passe saisis ne sont pas identiques."]}
    assert posted(app, NewPasswordForm, password="assez long pour passer", confirm="assez long pour passer") == {}


def test_change_password_requires_every_field(app):
    assert posted(app, ChangePasswordForm) == {
        "current_password": ["Saisissez votre mot de passe."],
        "new_password": ["Choisissez un mot de passe."],
        "confirm": ["Saisissez le mot de passe une seconde fois."],
    }


def test_forgot_password_requires_the_address(app):
    assert posted(app, ForgotPasswordForm, email="") == {"email": ["Saisissez votre adresse e-mail."]}


def test_invitation_form_messages(app, personas):
    def errors(**data):
        with app.test_request_context(method="POST", data=MultiDict(data)):
            form = InvitationForm()
            form.set_organisations([personas["company"].organisation])
            form.validate()
            return form.errors

    assert errors(organisation_id="abc", email="a@b", full_name="") == {
        "organisation_id": ["Choix non valide, ne peut pas être converti."],
        "email": ["Adresse e-mail non valide : vérifiez qu'elle est de la forme nom@domaine.fr."],
        "full_name": ["Indiquez le prénom et le nom de la personne."],
    }
    assert errors(organisation_id=str(personas["buyer"].organisation.id), email="a@exemple.fr",
                  full_name="A") == {"organisation_id": ["N'est pas un choix valide."]}
