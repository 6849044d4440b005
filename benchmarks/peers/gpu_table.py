#!/usr/bin/env python3
"""Merges shira_bench.json (ours) and peft_bench.json (PEFT) from one results folder into one markdown table with the
issue-8 targets. Usage: gpu_table.py RESULTS_FOLDER > gpu-results.md"""
import json
import os
import sys


def load(folder, name):
    path = os.path.join(folder, name)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def fmt(value, unit="", digits=1):
    return "n/a" if value is None else f"{value:,.{digits}f}{unit}"


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else "."
    ours, peft = load(folder, "shira_bench.json"), load(folder, "peft_bench.json")
    lora = (peft or {}).get("methods", {}).get("lora", {})
    shira = (peft or {}).get("methods", {}).get("shira", {})
    lines = ["# Ours vs PEFT, one run", ""]
    if ours:
        lines.append(f"Ours: {ours['implementation']} on `{ours['device']}`, {ours['shape']}, {ours['dtype']}, batch "
                     f"{ours['batch']} x {ours['sequence']}, r = {ours['rank']}, {ours['trainable_values']:,} trainable values "
                     f"({ours['values_dtype']}), default gradient path {ours['default_gradient_path']}.")
    if peft:
        lines.append(f"PEFT: {peft['implementation']}, torch {peft['torch']}, transformers {peft['transformers']} on "
                     f"`{peft.get('gpu', peft['device'])}`, {peft['shape']}; trainable {lora.get('trainable', 0):,} (LoRA), "
                     f"{shira.get('trainable', 0):,} (SHiRA).")
    lines += ["", "| | train step (ms) | max_memory_allocated (GiB) | device used, peak (GiB) | switch: apply + restore (ms) |",
              "|---|---:|---:|---:|---:|"]
    if peft:
        for name, m, switch in [("PEFT LoRA r=32", lora, "merge_unmerge_ms"), ("PEFT SHiRA r=32", shira, "merge_unmerge_ms")]:
            lines.append(f"| {name} | {fmt(m.get('train_step_ms'))} | {fmt(m.get('max_memory_allocated_gib'), digits=2)} | "
                         f"{fmt(m.get('device_used_peak_gib'), digits=2)} | {fmt(m.get(switch), digits=3)} (merge + unmerge) |")
        lines.append(f"| PyTorch `index_put_`, SHiRA entries | | | | {fmt(shira.get('index_put_apply_restore_ms'), digits=3)} |")
    if ours:
        steps = ours["train_step_ms"]
        mem = ours.get("device_used_peak_gib")
        lines.append(f"| ours, default ({ours['default_gradient_path']}) | {fmt(steps.get('default'))} | not exposed by TorchSharp 0.107 | "
                     f"{fmt(mem, digits=2)} (all paths) | {fmt(ours['switch_ms'].get('consolidated'), digits=3)} consolidated, "
                     f"{fmt(ours['switch_ms'].get('per_layer'), digits=3)} per layer; bit-exact: {ours['switch_restore_bit_exact']} |")
        for path in ("Sparse", "Dense"):
            lines.append(f"| ours, {path} path | {fmt(steps.get(path))} | | | |")
    lines += ["", "| generate, greedy, KV cache (new tokens/s) | batch 1 | batch 16 |", "|---|---:|---:|"]
    if peft:
        g = peft.get("generate_tokens_per_s", {})
        lines.append(f"| transformers `generate` | {fmt(g.get('1'))} | {fmt(g.get('16'))} |")
    if ours:
        g = ours.get("generate_tokens_per_second", {})
        lines.append(f"| ours | {fmt(g.get('1'))} | {fmt(g.get('16'))} |")
    if ours and peft:
        lines += ["", "Targets (issue 8):", ""]
        step, lora_step = ours["train_step_ms"].get("default"), lora.get("train_step_ms")
        if step and lora_step:
            lines.append(f"- train step <= 0.6 x PEFT LoRA's: {step / lora_step:.2f} x -> {'met' if step <= 0.6 * lora_step else 'MISSED'}")
        switch = min(ours["switch_ms"].values())
        lines.append(f"- whole-model switch <= 1.0 ms: {switch:.3f} ms -> {'met' if switch <= 1.0 else 'MISSED'}")
        if shira.get("merge_unmerge_ms"):
            ratio = shira["merge_unmerge_ms"] / switch
            lines.append(f"- >= 30 x faster than PEFT SHiRA merge + unmerge: {ratio:.1f} x -> {'met' if ratio >= 30 else 'MISSED'}")
        if shira.get("index_put_apply_restore_ms"):
            ratio = shira["index_put_apply_restore_ms"] / switch
            lines.append(f"- >= 3 x faster than plain index_put_: {ratio:.1f} x -> {'met' if ratio >= 3 else 'MISSED'}")
        lines.append("- peak allocated memory <= PEFT LoRA's: not measurable from TorchSharp 0.107 (no caching-allocator "
                     "statistics); compare the device-used column, which both sides measure the same way.")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
