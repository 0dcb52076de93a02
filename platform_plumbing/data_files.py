"""Data files (a force's policy, the agency catalogue) read as YAML and validated by a pydantic model.

People edit these files, so a mistake must stop the service with a message that names the file,
the dotted path of the faulty field and what is wrong — never run on half a policy.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


def load_yaml_model(path: Path, model: type[M], *, what: str, error: type[ValueError]) -> M:
    """Read `path` as YAML into `model`; raise `error` describing `what` the file is and its faults."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as problem:
        raise error(f"cannot read {what} {path}: {problem.strerror}") from None
    except UnicodeDecodeError:
        raise error(f"{what} {path} is not UTF-8 text") from None
    except yaml.YAMLError as problem:
        raise error(f"{what} {path} is not valid YAML: {problem}") from None
    try:
        return model.model_validate(raw)
    except ValidationError as invalid:
        problems = "; ".join(
            f"{'.'.join(map(str, item['loc'])) or '(top level)'}: {item['msg']}"
            for item in invalid.errors(include_url=False)
        )
        raise error(f"{what} {path} is invalid: {problems}") from None
