"""Policies by name: the registry value of this package, Python policies registered by name,
and policy instances for run()."""
from __future__ import annotations

from typing import Any, Callable, Mapping

from ._colosim import Error, Policy, PolicyHandle, PolicyRegistry
from ._common import option_text

#: The policies ``run(policy="name")`` can make: the built-in ones plus those added with
#: :func:`register_policy`. A value of this module, not global state of the library: make your
#: own with ``colosim.PolicyRegistry.builtin()`` and pass it as ``registry=``.
registry: PolicyRegistry = PolicyRegistry.builtin()

#: Called after register_policy() changes ``registry`` (run() refreshes its docstring).
_on_change: list[Callable[[], None]] = []

def _param_text(value: Any) -> str:
    text = option_text(value)
    if "," in text or "=" in text:
        raise Error(f"policy parameter value {text!r} may not contain ',' or '='")
    return text


def _from_text(text: str, like: Any) -> Any:
    if isinstance(like, bool):
        if text in ("true", "1", "yes"):
            return True
        if text in ("false", "0", "no"):
            return False
        raise Error(f"expected true or false, got {text!r}")
    if isinstance(like, int):
        return int(text)
    if isinstance(like, float):
        return float(text)
    return text


def policy(spec: str | Policy | PolicyHandle, params: Mapping[str, Any] | None = None,
           registry: PolicyRegistry | None = None) -> Policy | PolicyHandle:
    """A policy instance for :func:`run`: ``spec`` is a registered name (``"binpack"``), a name
    with parameters (``"random:check_memory=false"``), or a :class:`Policy` instance (returned as
    it is). ``params`` adds parameters (values: str, numbers or bools). Unknown names and
    parameter keys raise :class:`Error` listing what is available (``colosim.policies()``)."""
    if isinstance(spec, (Policy, PolicyHandle)):
        if params:
            raise Error("params apply to a policy given by name, not to an instance")
        return spec
    if isinstance(spec, type) and issubclass(spec, Policy):
        return spec()
    if not isinstance(spec, str):
        raise TypeError(f"policy must be a name, a colosim.Policy instance or a PolicyHandle, got {type(spec).__name__}")
    reg = registry if registry is not None else globals()["registry"]
    text = spec
    if params:
        extra = ",".join(f"{k}={_param_text(v)}" for k, v in params.items())
        text += ("," if ":" in text else ":") + extra
    return reg.make(text)


def register_policy(name: str, cls: type, description: str | None = None,
                    params: Mapping[str, Any] | None = None, registry: PolicyRegistry | None = None) -> None:
    """Makes a Python policy class usable by name: ``run(policy=name)`` then builds a new
    instance per run with ``cls(**params)``.

    ``params`` maps each parameter name to its default, or to ``(default, help)``; values given
    as ``"name:key=value"`` are converted to the default's type (bool, int, float or str).
    ``description`` defaults to the first line of the class docstring. Registers in
    ``colosim.registry`` unless another ``registry`` is given; a name already taken is an Error.
    """
    if not (isinstance(cls, type) and issubclass(cls, Policy)):
        raise TypeError("register_policy needs a subclass of colosim.Policy")
    if description is None:
        doc = (cls.__doc__ or "").strip()
        description = doc.splitlines()[0] if doc else f"Python policy {cls.__name__}"
    defaults: dict[str, Any] = {}
    schema = []
    for key, value in (params or {}).items():
        default, help_text = value if isinstance(value, tuple) else (value, "")
        defaults[key] = default
        schema.append((key, _param_text(default), help_text))

    def factory(values: dict[str, str]) -> Policy:
        kwargs = {}
        for key, text in values.items():
            try:
                kwargs[key] = _from_text(text, defaults[key])
            except (ValueError, Error) as e:
                raise Error(f"policy '{name}': parameter '{key}': {e}") from None
        instance = cls(**kwargs)
        if not isinstance(instance, Policy):
            raise TypeError(f"policy '{name}': {cls.__name__}() did not return a colosim.Policy")
        return instance

    reg = registry if registry is not None else globals()["registry"]
    reg.add_python(name, description, schema, factory)
    if reg is globals()["registry"]:
        for callback in _on_change:
            callback()


def policies(registry: PolicyRegistry | None = None) -> list[dict[str, Any]]:
    """The registered policies: dicts with name, description and params [(name, default, help)]."""
    reg = registry if registry is not None else globals()["registry"]
    return [reg.info(n) for n in reg.names()]


def policies_text(reg: PolicyRegistry) -> str:
    lines = []
    for info in policies(reg):
        lines.append(f"        {info['name']}: {info['description']}")
        for pname, default, help_text in info["params"]:
            lines.append(f"            {pname} (default {default}): {help_text}")
    return "\n".join(lines)


