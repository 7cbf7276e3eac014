"""Benchmark of the field encryption modes: 国密 (SM4-GCM + HMAC-SM3) against AES-256-GCM + HMAC-SHA256.

What a bulk import or `rotate_field_keys` pays per value: encrypting an ID number, decrypting it, and
its blind index, in each mode (no database: the cost is the cipher). The ratios are the AES time over
the 国密 time (below 1: 国密 is slower by that factor); a deployment that turns 国密 on can size its
rotation window from `rotation_values_per_s_sm`.
The last line is one JSON object.

Usage: python bench/crypto_modes.py [--scale 1]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    n = max(1000, int(20_000 * parser.parse_args().scale))

    from django.conf import settings

    from core import crypto

    key, hkey = crypto.generate_key(), crypto.generate_key()
    settings.configure(DANGJIAN_FIELD_KEY=key, DANGJIAN_HASH_KEY=hkey, DANGJIAN_CRYPTO="aes")
    values = [f"6543221985{i:06d}{i % 10}"[:18] for i in range(n)]
    times = {}
    for mode in ("aes", "sm"):
        crypto._KEYS.clear()
        settings.DANGJIAN_CRYPTO = mode
        crypto.encrypt_text("warm-up")
        t0 = time.perf_counter()
        tokens = [crypto.encrypt_text(v) for v in values]
        t1 = time.perf_counter()
        for t in tokens:
            crypto.decrypt_text(t)
        t2 = time.perf_counter()
        for v in values:
            crypto.blind_index(v, purpose="id_number")
        t3 = time.perf_counter()
        times[mode] = {"encrypt_us": (t1 - t0) / n * 1e6, "decrypt_us": (t2 - t1) / n * 1e6,
                       "hash_us": (t3 - t2) / n * 1e6}
        print(f"{mode}: encrypt {times[mode]['encrypt_us']:.1f} µs, decrypt {times[mode]['decrypt_us']:.1f} µs, "
              f"blind index {times[mode]['hash_us']:.1f} µs per value ({n} values)")
    out = {f"{mode}_{k}": round(v, 2) for mode, t in times.items() for k, v in t.items()}
    for k in ("encrypt_us", "decrypt_us", "hash_us"):
        out[f"sm_{k[:-3]}_vs_aes"] = round(times["aes"][k] / times["sm"][k], 2)
    # One rotated value: decrypt (old) + encrypt (new) + blind index.
    per_value = {m: (t["decrypt_us"] + t["encrypt_us"] + t["hash_us"]) / 1e6 for m, t in times.items()}
    out["rotation_values_per_s_sm"] = round(1 / per_value["sm"])
    out["rotation_values_per_s_aes"] = round(1 / per_value["aes"])
    print(json.dumps(out))


if __name__ == "__main__":
    main()
