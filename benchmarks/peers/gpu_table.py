#!/usr/bin/env python3
"""Merges shira_bench.json (ours) and peft_bench.json (PEFT) from one results folder, and the same two files of the
memory pass from its memory/ subfolder (both run under the cudaMallocAsync allocator backend, see build/gpu-bundle/run.sh),
into one markdown table with the issue-8 targets. Usage: gpu_table.py RESULTS_FOLDER > gpu-results.md"""
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


# Issue 8's anchor: PEFT LoRA r=32's max_memory_allocated on the H200 (caching allocator, earlier session).
PEFT_LORA_ANCHOR_GIB = 7.19


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else "."
    ours, peft = load(folder, "shira_bench.json"), load(folder, "peft_bench.json")
    lora = (peft or {}).get("methods", {}).get("lora", {})
    shira = (peft or {}).get("methods", {}).get("shira", {})
    # The memory pass: peak allocated under backend:cudaMallocAsync (ours from the pool, PEFT's max_memory_allocated).
    ours_mem, peft_mem = load(folder, os.path.join("memory", "shira_bench.json")), load(folder, os.path.join("memory", "peft_bench.json"))
    ours_peak = (ours_mem or {}).get("peak_allocated_gib", {})
    lora_mem = (peft_mem or {}).get("methods", {}).get("lora", {})
    shira_mem = (peft_mem or {}).get("methods", {}).get("shira", {})
    peft_async = (peft_mem or {}).get("allocator_backend") == "cudaMallocAsync"
    lines = ["# Ours vs PEFT, one run", ""]
    if ours:
        lines.append(f"Ours: {ours['implementation']} on `{ours['device']}`, {ours['shape']}, {ours['dtype']}, batch "
                     f"{ours['batch']} x {ours['sequence']}, r = {ours['rank']}, {ours['trainable_values']:,} trainable values "
                     f"({ours['values_dtype']}), default gradient path {ours['default_gradient_path']}.")
    if peft:
        lines.append(f"PEFT: {peft['implementation']}, torch {peft['torch']}, transformers {peft['transformers']} on "
                     f"`{peft.get('gpu', peft['device'])}`, {peft['shape']}; trainable {lora.get('trainable', 0):,} (LoRA), "
                     f"{shira.get('trainable', 0):,} (SHiRA).")
    if ours_mem or peft_mem:
        lines.append(f"Memory pass (train steps only, timings not compared): ours allocator "
                     f"{(ours_mem or {}).get('allocator_backend', 'not run')}; PEFT allocator {(peft_mem or {}).get('allocator_backend', 'not run')}.")
    lines += ["", "| | train step (ms) | max_memory_allocated (GiB) | peak allocated, memory pass (GiB) | device used, peak (GiB) "
              "| switch: apply + restore (ms) |",
              "|---|---:|---:|---:|---:|---:|"]
    if peft:
        for name, m, mm, switch in [("PEFT LoRA r=32", lora, lora_mem, "merge_unmerge_ms"), ("PEFT SHiRA r=32", shira, shira_mem, "merge_unmerge_ms")]:
            peak = mm.get("max_memory_allocated_gib") if peft_async else None
            lines.append(f"| {name} | {fmt(m.get('train_step_ms'))} | {fmt(m.get('max_memory_allocated_gib'), digits=2)} | "
                         f"{fmt(peak, digits=2)} | {fmt(m.get('device_used_peak_gib'), digits=2)} | {fmt(m.get(switch), digits=3)} (merge + unmerge) |")
        lines.append(f"| PyTorch `index_put_`, SHiRA entries | | | | | {fmt(shira.get('index_put_apply_restore_ms'), digits=3)} |")
    if ours:
        steps = ours["train_step_ms"]
        mem = ours.get("device_used_peak_gib")
        lines.append(f"| ours, default ({ours['default_gradient_path']}) | {fmt(steps.get('default'))} | not exposed by TorchSharp 0.107 | "
                     f"{fmt(ours_peak.get('default'), digits=2)} | {fmt(mem, digits=2)} (all paths) | "
                     f"{fmt(ours['switch_ms'].get('consolidated'), digits=3)} consolidated, "
                     f"{fmt(ours['switch_ms'].get('per_layer'), digits=3)} per layer; bit-exact: {ours['switch_restore_bit_exact']} |")
        for path in ("Sparse", "Dense"):
            lines.append(f"| ours, {path} path | {fmt(steps.get(path))} | | {fmt(ours_peak.get(path), digits=2)} | | |")
        kernels = ours.get("switch_kernels_ms") or {}
        if kernels:
            lines.append(f"| bare kernels on a flat copy (not our switch) | | | | | "
                         + ", ".join(f"{name} {fmt(value, digits=3)}" for name, value in kernels.items())
                         + f"; bit-exact: {ours.get('switch_kernels_bit_exact')} |")
    if ours_mem and not ours_peak:
        lines.append("")
        lines.append(f"Ours, memory pass: no peak allocated figure ({ours_mem.get('peak_allocated_note')}).")
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
        lines += peak_targets(ours_peak, lora_mem if peft_async else {}, [("LoRA", lora_mem), ("SHiRA", shira_mem)] if peft_async else [])
    print("\n".join(lines))


def peak_targets(ours_peak, lora_mem, peft_methods):
    """The peak-allocated target lines, from the memory pass (cudaMallocAsync backend on both sides)."""
    lines = []
    peak = ours_peak.get("default")
    if peak is None:
        lines.append("- peak allocated memory <= PEFT LoRA's: not measured (no memory pass under backend:cudaMallocAsync "
                     "with a pool figure; see above)")
        return lines
    lines.append(f"- peak allocated memory <= PEFT LoRA's {PEFT_LORA_ANCHOR_GIB} GiB (issue 8, caching allocator): "
                 f"{peak:.2f} GiB -> {'met' if peak <= PEFT_LORA_ANCHOR_GIB else 'MISSED'}")
    lora_peak = lora_mem.get("max_memory_allocated_gib")
    if lora_peak:
        lines.append(f"- peak allocated memory <= PEFT LoRA's in this run, both under backend:cudaMallocAsync: {peak:.2f} vs "
                     f"{lora_peak:.2f} GiB -> {'met' if peak <= lora_peak else 'MISSED'}")
    for name, method in peft_methods:
        torch_peak, driver_peak = method.get("max_memory_allocated_gib"), method.get("driver_pool_used_peak_gib")
        if torch_peak is not None and driver_peak is not None:
            same = abs(torch_peak - driver_peak) * 1024 ** 3 < 1
            lines.append(f"- cross-check of the pool reading, PEFT {name}: max_memory_allocated {torch_peak:.4f} GiB, "
                         f"driver pool used peak {driver_peak:.4f} GiB -> {'equal' if same else 'DIFFERENT'}")
    return lines


if __name__ == "__main__":
    main()
