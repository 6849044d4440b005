#!/usr/bin/env python3
"""PEFT's side of the GPU benchmark (docs/gpu.md, issue 8): PEFT LoRA r=32 and PEFT SHiRA r=32 on the anchor shape.

TinyLlama-1.1B-shaped LLaMA (22 layers, hidden 2048, MLP 5632, 32 query / 4 key-value heads, vocabulary 32000), random
weights in bfloat16, adapters on q/k/v/o/gate/up/down (PEFT keeps them in float32: autocast_adapter_dtype), bf16 autocast,
batch 4 x 512 random tokens, AdamW lr 5e-4. Measures, per method in turn on a fresh model: mean train step, the caching
allocator's max_memory_allocated / max_memory_reserved, the whole device's used memory (mem_get_info, as nvidia-smi and
our .NET benchmark count it), merge + unmerge of the whole model; for SHiRA also plain index_put_ of the same entries
(apply + restore, one call per matrix and direction); and transformers' generate (greedy, KV cache) at batch 1 and 16.
--memory-only stops after the train steps (the memory pass of build/gpu-bundle/run.sh). Under the cudaMallocAsync
allocator backend (PYTORCH_ALLOC_CONF / PYTORCH_CUDA_ALLOC_CONF = backend:cudaMallocAsync) it also reads the peak of the
device's default memory pool straight from the CUDA driver (libcuda.so.1, through ctypes): the figure our .NET benchmark
reports as peak_allocated_gib, which PyTorch's max_memory_allocated must equal there (a cross-check).
Usage: peft_bench.py [--device cuda|cpu] [--small] [--steps N] [--memory-only] [--out FILE.json]
"""
import argparse
import ctypes
import gc
import json
import time

import peft
import torch
import transformers
from peft import LoraConfig, ShiraConfig, get_peft_model
from transformers import LlamaConfig, LlamaForCausalLM

TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
ANCHOR = dict(name="TinyLlama-1.1B shape", vocab=32000, hidden=2048, inter=5632, layers=22, heads=32, kv=4,
              batch=4, seq=512, rank=32, steps=10, switch_repeats=100, prompt=32, new_tokens=128)
SMALL = dict(name="small (CPU smoke)", vocab=1000, hidden=128, inter=352, layers=2, heads=4, kv=2,
             batch=2, seq=64, rank=4, steps=3, switch_repeats=10, prompt=8, new_tokens=16)
GIB = 1024 ** 3


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def device_used_gib(device):
    if device.type != "cuda":
        return None
    free, total = torch.cuda.mem_get_info(device)
    return (total - free) / GIB


def allocator_backend(device):
    return torch.cuda.get_allocator_backend() if device.type == "cuda" else None


def driver_pool_peaks(device):
    """Used and reserved high-water marks (bytes) of the device's default memory pool from the CUDA driver, or None.

    cuDeviceGetDefaultMemPool + cuMemPoolGetAttribute with CU_MEMPOOL_ATTR_USED_MEM_HIGH (8) and
    CU_MEMPOOL_ATTR_RESERVED_MEM_HIGH (6), as src/Microsoft.ML.Shira/Runtime/Native/CudaDriver.cs reads them."""
    try:
        driver = ctypes.CDLL("libcuda.so.1")
    except OSError:
        return None
    driver.cuInit.argtypes = [ctypes.c_uint]
    driver.cuDeviceGet.argtypes = [ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    driver.cuDeviceGetDefaultMemPool.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_int]
    driver.cuMemPoolGetAttribute.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
    index = device.index if device.index is not None else torch.cuda.current_device()
    cu_device, pool = ctypes.c_int(), ctypes.c_void_p()
    if (driver.cuInit(0) != 0 or driver.cuDeviceGet(ctypes.byref(cu_device), index) != 0
            or driver.cuDeviceGetDefaultMemPool(ctypes.byref(pool), cu_device.value) != 0):
        return None
    peaks = {}
    for name, attribute in (("used", 8), ("reserved", 6)):
        value = ctypes.c_uint64()
        if driver.cuMemPoolGetAttribute(pool, attribute, ctypes.byref(value)) != 0:
            return None
        peaks[name] = value.value
    return peaks


def build_model(shape, device):
    config = LlamaConfig(vocab_size=shape["vocab"], hidden_size=shape["hidden"], intermediate_size=shape["inter"],
                         num_hidden_layers=shape["layers"], num_attention_heads=shape["heads"],
                         num_key_value_heads=shape["kv"], max_position_embeddings=2048, rms_norm_eps=1e-5)
    torch.manual_seed(0)
    with torch.device(device):
        model = LlamaForCausalLM(config)
    return model.to(torch.bfloat16)


def adapter_config(method, rank):
    if method == "lora":
        return LoraConfig(r=rank, lora_alpha=2 * rank, lora_dropout=0.0, target_modules=TARGETS, task_type="CAUSAL_LM")
    return ShiraConfig(r=rank, mask_type="random", random_seed=0, target_modules=TARGETS, task_type="CAUSAL_LM")


def train(model, ids, shape, device):
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=5e-4)

    def step():
        with torch.autocast(device.type, dtype=torch.bfloat16):
            loss = model(input_ids=ids, labels=ids).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        return loss.item()

    for _ in range(2):
        step()
    sync(device)
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    losses, used = [], 0.0
    start = time.perf_counter()
    for _ in range(shape["steps"]):
        losses.append(step())
        used = max(used, device_used_gib(device) or 0.0)
    sync(device)
    ms = (time.perf_counter() - start) * 1000 / shape["steps"]
    result = dict(trainable=sum(p.numel() for p in params), trainable_dtype=str(params[0].dtype).replace("torch.", ""),
                  train_step_ms=ms, loss=[losses[0], losses[-1]])
    if device.type == "cuda":
        result.update(max_memory_allocated_gib=torch.cuda.max_memory_allocated(device) / GIB,
                      max_memory_reserved_gib=torch.cuda.max_memory_reserved(device) / GIB, device_used_peak_gib=used)
        if allocator_backend(device) == "cudaMallocAsync":
            # reset_peak_memory_stats above reset the pool's high-water marks too (CudaMallocAsync resetPeakStats).
            peaks = driver_pool_peaks(device)
            if peaks is not None:
                result.update(driver_pool_used_peak_gib=peaks["used"] / GIB, driver_pool_reserved_peak_gib=peaks["reserved"] / GIB)
    del optimizer
    return result


def timed(fn, repeats, device):
    for _ in range(3):
        fn()
    sync(device)
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    sync(device)
    return (time.perf_counter() - start) * 1000 / repeats


@torch.no_grad()
def index_put_switch(model, shape, device):
    """Plain PyTorch: write base + S at the SHiRA entries, then the stashed base values, one index_put_ per matrix."""
    entries = []
    for module in model.modules():
        if hasattr(module, "shira_indices") and "default" in getattr(module, "shira_indices", {}):
            weight = module.get_base_layer().weight
            rows, cols = module.shira_indices["default"].to(device).long()
            base = weight[rows, cols].clone()
            fused = (base.float() + module.shira_weight["default"].float()).to(weight.dtype)
            entries.append((weight, (rows, cols), base, fused))

    def switch():
        for weight, index, _, fused in entries:
            weight.index_put_(index, fused)
        for weight, index, base, _ in entries:
            weight.index_put_(index, base)

    ms = timed(switch, shape["switch_repeats"], device)
    return ms, len(entries)


@torch.no_grad()
def generate(model, shape, device, batch):
    model.eval()
    generator = torch.Generator(device=device).manual_seed(2)
    ids = torch.randint(0, shape["vocab"], (batch, shape["prompt"]), generator=generator, device=device)
    kwargs = dict(attention_mask=torch.ones_like(ids), do_sample=False, use_cache=True, pad_token_id=0)
    model.generate(ids, max_new_tokens=8, min_new_tokens=8, **kwargs)
    sync(device)
    start = time.perf_counter()
    out = model.generate(ids, max_new_tokens=shape["new_tokens"], min_new_tokens=shape["new_tokens"], **kwargs)
    sync(device)
    new = out.shape[1] - ids.shape[1]
    return batch * new / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--small", action="store_true")
    parser.add_argument("--steps", type=int)
    parser.add_argument("--memory-only", action="store_true")
    parser.add_argument("--out", default="peft_bench.json")
    args = parser.parse_args()
    shape = dict(SMALL if args.small else ANCHOR)
    if args.steps:
        shape["steps"] = args.steps
    device = torch.device(args.device)
    torch.backends.cuda.matmul.allow_tf32 = False
    result = dict(implementation=f"PEFT {peft.__version__}", torch=torch.__version__, transformers=transformers.__version__,
                  peft=peft.__version__, device=str(device), shape=shape["name"], dtype="bfloat16 (autocast)",
                  batch=shape["batch"], sequence=shape["seq"], rank=shape["rank"], prompt_tokens=shape["prompt"],
                  new_tokens=shape["new_tokens"], memory_only=args.memory_only, steps=shape["steps"], methods={})
    if device.type == "cuda":
        result["gpu"] = torch.cuda.get_device_name(device)
        result["allocator_backend"] = allocator_backend(device)
    print(f"peft_bench: {shape['name']} on {device}, torch {torch.__version__}, transformers {transformers.__version__}, "
          f"peft {peft.__version__}, allocator {result.get('allocator_backend')}", flush=True)
    generator = torch.Generator(device=device).manual_seed(1)
    ids = torch.randint(0, shape["vocab"], (shape["batch"], shape["seq"]), generator=generator, device=device)
    model = None
    for method in ["lora", "shira"]:
        model = None
        gc.collect()
        if device.type == "cuda":
            torch.cuda.empty_cache()
        model = get_peft_model(build_model(shape, device), adapter_config(method, shape["rank"]))
        model.train()
        entry = train(model, ids, shape, device)
        if args.memory_only:
            result["methods"][method] = entry
            print(f"peft_bench: {method}: {json.dumps(entry)}", flush=True)
            continue
        tuner = model.base_model
        entry["merge_unmerge_ms"] = timed(lambda: (tuner.merge_adapter(), tuner.unmerge_adapter()), shape["switch_repeats"], device)
        if method == "shira":
            entry["index_put_apply_restore_ms"], entry["index_put_matrices"] = index_put_switch(model, shape, device)
        result["methods"][method] = entry
        print(f"peft_bench: {method}: {json.dumps(entry)}", flush=True)
    if args.memory_only:
        with open(args.out, "w") as f:
            json.dump(result, f, indent=2)
        return
    base = model.unload()
    result["generate_tokens_per_s"] = {str(b): generate(base, shape, device, b) for b in (1, 16)}
    print(f"peft_bench: generate: {json.dumps(result['generate_tokens_per_s'])}", flush=True)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
