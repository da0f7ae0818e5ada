"""`isolde providers`: which engines exist, what they do, whether they are ready."""

from __future__ import annotations

import argparse

from isolde.cli.console import print_json
from isolde.providers.registry import DEFAULT_PROVIDER, get_provider, provider_names


def run(args: argparse.Namespace) -> int:
    rows = []
    for name in provider_names():
        provider = get_provider(name)
        caps = provider.capabilities
        rows.append(
            {
                "name": name,
                "title": provider.title,
                "default": name == DEFAULT_PROVIDER,
                "kinds": sorted(k.value for k in caps.kinds),
                "key_env": caps.key_env,
                "key_configured": provider.key_configured(),
                "needs_network": caps.key_env is not None,
                "options": [
                    {"name": o.name, "type": o.type.__name__, "default": o.default, "help": o.help}
                    | ({"choices": list(o.choices)} if o.choices else {})
                    for o in caps.options
                ],
                "notes": caps.notes,
            }
        )
    if args.json:
        print_json({"providers": rows})
        return 0
    for row in rows:
        key = (
            "no key needed"
            if row["key_env"] is None
            else (
                f"key set ({row['key_env']})"
                if row["key_configured"]
                else f"no key: set {row['key_env']}"
            )
        )
        default = "  [default]" if row["default"] else ""
        print(f"{row['name']:<12}{', '.join(row['kinds']):<28}{key}{default}")
        if row["notes"]:
            print(f"{'':<12}{row['notes']}")
    return 0
