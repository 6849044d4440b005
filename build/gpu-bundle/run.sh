#!/usr/bin/env bash
# The GPU bundle's entry point (made by build/gpu-bundle.sh; docs/gpu.md). On a machine with PyTorch and no .NET:
#   ./run.sh                      checks on cuda, our benchmark, PEFT's benchmark, one table
# Options: --libtorch DIR (default: SHIRA_LIBTORCH_DIR, else the installed PyTorch's torch/lib)  --device cuda|cpu
#          --small (small shape: a smoke run, not results)  --no-peft  --no-checks  --no-bench  --no-memory
# Results go to $OUT when set, else ./results: diagnostics.txt, checks-<device>.md, shira_bench.json, peft_bench.json,
# gpu-results.md (the one table) and run.log (everything printed); on cuda also memory/ (the memory pass: train steps
# only, 3 timed, both benchmarks under libtorch's backend:cudaMallocAsync allocator, whose default memory pool gives the
# peak allocated bytes; a pass of its own so that the allocator cannot change the timings of the main run).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${OUT:-$here/results}
mkdir -p "$out"
libtorch=${SHIRA_LIBTORCH_DIR:-}; device=cuda; small=(); peft=1; checks=1; bench=1; memory=1
while [ $# -gt 0 ]; do
  case "$1" in
    --libtorch) libtorch=$2; shift ;;
    --device) device=$2; shift ;;
    --small) small=(--small) ;;
    --no-peft) peft=0 ;;
    --no-checks) checks=0 ;;
    --no-bench) bench=0 ;;
    --no-memory) memory=0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
log="$out/run.log"
: > "$log"
say() { echo "$@" | tee -a "$log"; }

if [ -z "$libtorch" ]; then
  libtorch=$(python3 -c 'import torch,os;print(os.path.dirname(torch.__file__)+"/lib")') || { say "run.sh: no --libtorch and no importable torch"; exit 3; }
fi
runtime=${SHIRA_DOTNET_ROOT:-${TMPDIR:-/tmp}/shira-dotnet-$(cat "$here/dotnet-runtime.version")}
if [ ! -x "$runtime/dotnet" ]; then
  mkdir -p "$runtime" && tar -C "$runtime" -xJf "$here/dotnet-runtime.tar.xz" || { say "run.sh: could not unpack the .NET runtime"; exit 3; }
fi
export DOTNET_ROOT=$runtime DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
# The switch loads libtorch from the folder; the search path also lets its CUDA companions be found.
export SHIRA_LIBTORCH_DIR=$libtorch LD_LIBRARY_PATH=$libtorch${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
app=("$runtime/dotnet" "$here/app/Microsoft.ML.Shira.GpuChecks.dll" --libtorch "$libtorch")
say "run.sh: libtorch $libtorch, device $device, results in $out"

status=0
if [ $checks = 1 ]; then
  "${app[@]}" checks --device "$device" --data "$here/data" --out "$out" 2>&1 | tee -a "$log"
  rc=${PIPESTATUS[0]}; say "run.sh: checks exit code $rc"; [ "$rc" = 0 ] || status=1
fi
if [ $bench = 1 ]; then
  "${app[@]}" bench --device "$device" "${small[@]}" --out "$out" 2>&1 | tee -a "$log"
  rc=${PIPESTATUS[0]}; say "run.sh: .NET benchmark exit code $rc"; [ "$rc" = 0 ] || status=1
  if [ $peft = 1 ]; then
    PYTHONUNBUFFERED=1 python3 "$here/peers/peft_bench.py" --device "$device" "${small[@]}" --out "$out/peft_bench.json" 2>&1 | tee -a "$log"
    rc=${PIPESTATUS[0]}; say "run.sh: PEFT benchmark exit code $rc"; [ "$rc" = 0 ] || status=1
  fi
  if [ $memory = 1 ] && [ "$device" != cpu ]; then
    # Both variables, the same value: PyTorch revisions differ on which one wins when they disagree.
    mkdir -p "$out/memory"
    async=(env PYTORCH_ALLOC_CONF=backend:cudaMallocAsync PYTORCH_CUDA_ALLOC_CONF=backend:cudaMallocAsync)
    say "run.sh: memory pass (backend:cudaMallocAsync) in $out/memory"
    "${async[@]}" "${app[@]}" bench --device "$device" "${small[@]}" --steps 3 --memory-only --out "$out/memory" 2>&1 | tee -a "$log"
    rc=${PIPESTATUS[0]}; say "run.sh: .NET memory pass exit code $rc"; [ "$rc" = 0 ] || status=1
    if [ $peft = 1 ]; then
      PYTHONUNBUFFERED=1 "${async[@]}" python3 "$here/peers/peft_bench.py" --device "$device" "${small[@]}" --steps 3 --memory-only \
        --out "$out/memory/peft_bench.json" 2>&1 | tee -a "$log"
      rc=${PIPESTATUS[0]}; say "run.sh: PEFT memory pass exit code $rc"; [ "$rc" = 0 ] || status=1
    fi
  fi
  python3 "$here/peers/gpu_table.py" "$out" > "$out/gpu-results.md" 2>>"$log" && cat "$out/gpu-results.md" | tee -a "$log"
fi
exit $status
