"""Forms of saved list views: the name a view is saved or renamed under, and the list's
current filters it keeps (as the list's own query string, checked again by the list form)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from customers.models import LIST_VIEW_NAME_MAX_LENGTH

RETURN_TO = (("list", "list"), ("manage", "manage"))


class ListViewNameField(forms.CharField):
    default_error_messages = {
        "required": _("Enter a name for the view."),
        "max_length": _("Keep the name to at most %(limit_value)d characters."),
    }

    def __init__(self, **kwargs):
        super().__init__(label=_("Name of the view"), max_length=LIST_VIEW_NAME_MAX_LENGTH, **kwargs)
        # The browser would cut a longer name silently; the form says what is wrong instead.
        self.widget.attrs.pop("maxlength", None)


class ListViewFormBase(forms.Form):
    # The list's query string the user was looking at, to return to it.
    query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
    return_to = forms.ChoiceField(required=False, choices=RETURN_TO, widget=forms.HiddenInput)
    # Whether the list had an exact search that `query` leaves out, to say so once saved.
    left_out = forms.BooleanField(required=False, widget=forms.HiddenInput)


class ListViewSaveForm(ListViewFormBase):
    """Save the list's current filters (`query`) under a new name."""

    name = ListViewNameField(widget=forms.TextInput(attrs={"autocomplete": "off"}))


class ListViewRenameForm(ListViewFormBase):
    """A new name for one view; each view's form has its own prefix (several share a page)."""

    name = ListViewNameField(widget=forms.TextInput(attrs={"autocomplete": "off"}))

    @classmethod
    def for_view(cls, view, *args, **kwargs) -> ListViewRenameForm:
        """The form of `view`, bound to `args` if given, else showing the view's name."""
        kwargs.setdefault("initial", {"name": view.name})
        return cls(*args, prefix=f"view-{view.pk}", **kwargs)


class ListViewFiltersForm(ListViewFormBase):
    """Replace a view's filters with the list's current ones (`query`)."""


class ListViewDeleteForm(ListViewFormBase):
    pass
