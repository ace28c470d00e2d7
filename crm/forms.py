"""Forms of the project package, and the adapter that shows a service's ValidationError on a
form (every app's views use it: services raise, forms display)."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class PortalAuthenticationForm(AuthenticationForm):
    """Sign-in form with autocomplete hints for password managers."""

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )


def validation_messages(error: ValidationError) -> dict[str, list[str]]:
    """The messages of a ValidationError a service raised, by field name ("__all__" for
    those about no field in particular)."""
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {NON_FIELD_ERRORS: error.messages}


def labelled_messages(form: forms.Form) -> list[str]:
    """Every error of a bound `form` as a person reads it: "<field's label>: <message>", the
    label in the current language (never the field's name), and form-wide errors alone."""
    shown = []
    for name, messages in form.errors.items():
        field = form.fields.get(name)
        label = (field.label or name) if field is not None and name != NON_FIELD_ERRORS else None
        for message in messages:
            shown.append(gettext("%(label)s: %(message)s") % {"label": capfirst(label), "message": message}
                         if label else str(message))
    return shown


def add_validation_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on `form`: each message on the field of its name,
    or as a form-wide error when the form has no such field."""
    for name, messages in validation_messages(error).items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)
