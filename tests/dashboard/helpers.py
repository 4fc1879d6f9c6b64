"""Helpers for server tests of the pages: render a page the way the browser asks for it, post a
callback, and find components in the JSON that comes back."""

from __future__ import annotations

from typing import Any

ROUTER_REQUEST = {
    "output": ".._pages_content.children..._pages_store.data..",
    "outputs": [
        {"id": "_pages_content", "property": "children"},
        {"id": "_pages_store", "property": "data"},
    ],
    "changedPropIds": ["_pages_location.pathname"],
    "state": [],
}


def render_page(client: Any, pathname: str, search: str = "") -> dict[str, Any]:
    """A page's content for ``pathname`` and ``search`` ('?a=b'), through Dash's router."""
    payload = {
        **ROUTER_REQUEST,
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": pathname},
            {"id": "_pages_location", "property": "search", "value": search},
        ],
    }
    response = client.post("/_dash-update-component", json=payload)
    assert response.status_code == 200, response.data[:500]
    content: dict[str, Any] = response.get_json()["response"]["_pages_content"]["children"]
    return content


def post_callback(
    client: Any,
    outputs: list[tuple[str, str]],
    inputs: list[tuple[str, str, Any]],
    state: list[tuple[str, str, Any]] = (),  # type: ignore[assignment]
) -> Any:
    """POST one callback request; returns the Flask response. ``outputs`` are (id, property);
    with duplicate-allowed outputs pass the property as Dash names it ('data@<hash>')."""
    output = "...".join(f"{i}.{p}" for i, p in outputs)
    payload = {
        "output": f"..{output}.." if len(outputs) > 1 else output,
        "outputs": (
            [{"id": i, "property": p} for i, p in outputs]
            if len(outputs) > 1
            else {"id": outputs[0][0], "property": outputs[0][1]}
        ),
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "changedPropIds": [f"{i}.{p}" for i, p, _ in inputs],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
    }
    return client.post("/_dash-update-component", json=payload)


def find_by_id(node: Any, wanted: str) -> dict[str, Any] | None:
    if isinstance(node, list):
        for child in node:
            found = find_by_id(child, wanted)
            if found is not None:
                return found
    elif isinstance(node, dict):
        props = node.get("props", {})
        if props.get("id") == wanted:
            return node
        for value in props.values():
            if isinstance(value, dict | list):
                found = find_by_id(value, wanted)
                if found is not None:
                    return found
    return None


def nodes_of_type(node: Any, type_name: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, list):
        for child in node:
            found += nodes_of_type(child, type_name)
    elif isinstance(node, dict):
        if node.get("type") == type_name:
            found.append(node)
        found += nodes_of_type(node.get("props", {}).get("children"), type_name)
    return found


def text_of(node: Any) -> str:
    if isinstance(node, str | int | float):
        return str(node)
    if isinstance(node, list):
        return "".join(text_of(child) for child in node)
    if isinstance(node, dict):
        return text_of(node.get("props", {}).get("children"))
    return ""


def _prop_id(component_id: Any, prop: str) -> str:
    if isinstance(component_id, dict):
        import json

        return json.dumps(component_id, sort_keys=True, separators=(",", ":")) + "." + prop
    return f"{component_id}.{prop}"


def post_update(
    client: Any,
    output: str,
    inputs: list[Any],
    state: list[Any] = (),  # type: ignore[assignment]
    changed: list[str] | None = None,
) -> Any:
    """POST one callback request named by its ``output`` key as in ``app.callback_map``.

    ``inputs`` and ``state`` items are ``(id, property, value)`` or, for a pattern-matching
    ``ALL``, a list of such tuples; ``changed`` lists the ``id.property`` that fired (default:
    the first input)."""

    def entry(item: Any) -> Any:
        if isinstance(item, list):
            return [entry(one) for one in item]
        component_id, prop, value = item
        return {"id": component_id, "property": prop, "value": value}

    first = inputs[0][0] if isinstance(inputs[0], list) and inputs[0] else inputs[0]
    default = [_prop_id(first[0], first[1])] if first else []
    parts = output.strip(".").split("...")
    outputs: Any = []
    for part in parts:
        component, _, prop = part.rpartition(".")
        outputs.append({"id": component, "property": prop})
    payload = {
        "output": output,
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": [entry(i) for i in inputs],
        "changedPropIds": changed if changed is not None else default,
        "state": [entry(s) for s in state],
    }
    return client.post("/_dash-update-component", json=payload)


def output_key(app: Any, component_id: str, prop: str) -> str:
    """The ``app.callback_map`` key of the callback writing ``component_id.prop`` (with its
    ``@hash`` when the output allows duplicates)."""
    prefix = f"{component_id}.{prop}"
    found = [
        key
        for key in app.callback_map
        if any(
            part == prefix or part.startswith(prefix + "@") for part in key.strip(".").split("...")
        )
    ]
    assert found, f"no callback writes {prefix}"
    return found[0]
