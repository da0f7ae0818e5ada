"""`isolde providers`: which engines exist, what they do, whether they are ready to use."""

from __future__ import annotations

import argparse
from typing import Any

from isolde.cli.console import print_json
from isolde.providers.net.keys import SERVICE, key_source, keyring_command, keyring_name
from isolde.providers.registry import DEFAULT_PROVIDER, get_provider, provider_names


def _row(name: str) -> dict[str, Any]:
    provider = get_provider(name)
    caps = provider.capabilities
    source = key_source(caps.key_env) if caps.key_env else None
    return {
        "name": name,
        "title": provider.title,
        "default": name == DEFAULT_PROVIDER,
        "kinds": sorted(k.value for k in caps.kinds),
        "key_env": caps.key_env,
        "key_configured": provider.key_configured(),
        "key_source": source,  # "environment", "keyring" or None; never the key
        "ready": provider.key_configured(),
        "needs_network": caps.key_env is not None,
        "queue": caps.queue,
        "options": [o.to_json() for o in caps.options],
        "price": caps.price_note,
        "notes": caps.notes,
    }


def _key_text(row: dict[str, Any], keyring: bool) -> str:
    env = row["key_env"]
    if env is None:
        return "ready: no key needed"
    if row["key_source"] == "environment":
        return f"ready: key from ${env}"
    if row["key_source"] == "keyring":
        return f"ready: key from the keyring ({SERVICE}/{env})"
    if not keyring:  # the footer says why the keyring is not offered
        return f"not ready: set {env}"
    return f"not ready: set {env}, or store it with `{keyring_command(env)}`"


def run(args: argparse.Namespace) -> int:
    rows = [_row(name) for name in provider_names()]
    keyring = keyring_name()
    if args.json:
        print_json({"providers": rows, "keyring": keyring})
        return 0
    for row in rows:
        default = "  [default]" if row["default"] else ""
        key_text = _key_text(row, keyring is not None)
        print(f"{row['name']:<12}{', '.join(row['kinds']):<30}{key_text}{default}")
        if row["notes"]:
            print(f"{'':<12}{row['notes']}")
        if row["price"]:
            print(f"{'':<12}price: {row['price']}")
    if keyring is None:
        print("(this computer has no OS keyring: keys come from environment variables only)")
    return 0
