"""Rasa's check of each action server answer, with its JSON schema compiled once.

Rasa 3.6 validates every answer of the action server against its events schema with
`jsonschema.validate(result, schema)`, which first validates the (large) schema itself
against the JSON Schema meta-schema, on every call. Profiled under load (`make bench`,
py-spy on the Rasa server) this took about 30 % of the Rasa server's CPU: 19 ms per action
call, and a form turn makes two or three calls. The same check with a validator built once
takes under 1 ms and accepts and rejects exactly the same answers, with the same error.

`install()` is called when Rasa imports our input channel (rasa_addons/gateway_input.py),
which is our one hook into the Rasa process; it changes nothing else.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict

from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def action_result_validator() -> Validator:
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)  # once, as jsonschema.validate does on every call
    return validator_class(schema)


def validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    """RemoteAction._validate_action_result, without re-checking the schema each time.

    Raises the error jsonschema.validate would (the best match), with Rasa's own hint."""
    error: ValidationError | None = best_match(action_result_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, "
        "make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


def install() -> None:
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
