"""Form helpers shared by every app, and the two ways a service's ValidationError reaches the person:
onto the form that was posted (``add_errors``) or, where a page has no form to show again, as a
message (``flash_errors``)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError


def add_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError onto a form, by field where it names one."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for err in errors:
                form.add_error(field if field in form.fields else None, err.messages)
    else:
        form.add_error(None, exc.messages)


def flash_errors(request, exc: ValidationError) -> None:
    """A service's ValidationError as one error message on the next page (a button without a form)."""
    messages.error(request, "；".join(exc.messages))


class StyledForm(forms.Form):
    """A form whose widgets carry the CSS kit's classes (and is-invalid once they have errors)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
            if isinstance(widget, forms.DateInput):
                # <input type="date"> takes ISO dates only (the zh-hans format 2008/07/01 shows blank).
                widget.input_type = "date"
                widget.format = "%Y-%m-%d"

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"
