#!/usr/bin/env bash
# Builds the GPU bundle (docs/gpu.md): everything a machine with PyTorch but no .NET needs to run the GPU checks and the
# benchmark against PEFT. Usage: build/gpu-bundle.sh [OUTPUT_FOLDER]   (default: artifacts/gpu-bundle, at most 60 MiB)
#   dotnet-runtime.tar.xz  this machine's .NET shared runtime (dotnet, host/, shared/Microsoft.NETCore.App/<version>)
#   app/                   test/Microsoft.ML.Shira.GpuChecks, framework-dependent linux-x64, no TorchSharp backend package,
#                          no MiniLM, no SkiaSharp/LDA native libraries, no debug symbols
#   data/                  the few repository data files the checks read (with data/README.md for provenance)
#   peers/                 benchmarks/peers/*.py (PEFT side of the benchmark, table)
#   run.sh                 runs checks, then ours, then PEFT's benchmark; results under $OUT (or ./results)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-$root/artifacts/gpu-bundle}" && cd "${1:-$root/artifacts/gpu-bundle}" && pwd)
limit=$((60 * 1024 * 1024))

rm -rf "${out:?}"/*
dotnet publish "$root/test/Microsoft.ML.Shira.GpuChecks" -c Release -r linux-x64 --self-contained false \
  -p:ShiraTorchBackend=none -p:DebugType=none -p:GenerateDocumentationFile=false -o "$out/app" -nologo -v:q
# Native libraries nothing on this path loads (ML.NET's image and LDA transforms), and their debug files.
rm -f "$out"/app/libSkiaSharp.so "$out"/app/libLdaNative.so "$out"/app/*.dbg "$out"/app/*.pdb
test -f "$out/app/libLibTorchSharp.so" || { echo "gpu-bundle: libLibTorchSharp.so missing from the publish output" >&2; exit 1; }
if ls "$out"/app/libtorch*.so >/dev/null 2>&1; then echo "gpu-bundle: a libtorch backend was published; expected none" >&2; exit 1; fi

dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
version=$(dotnet --list-runtimes | awk '/^Microsoft.NETCore.App /{print $2}' | sort -V | tail -1)
test -d "$dotnet_root/shared/Microsoft.NETCore.App/$version" || { echo "gpu-bundle: no runtime $version under $dotnet_root" >&2; exit 1; }
extras=(); for f in LICENSE.txt ThirdPartyNotices.txt; do [ -f "$dotnet_root/$f" ] && extras+=("$f"); done
XZ_OPT=-6e tar -C "$dotnet_root" -cJf "$out/dotnet-runtime.tar.xz" dotnet host "shared/Microsoft.NETCore.App/$version" "${extras[@]}"

mkdir -p "$out/data/generation" "$out/data/classification/sst2" "$out/data/arch-refs"
cp "$root/data/README.md" "$out/data/"
cp "$root/data/generation/tinystories_val.txt" "$out/data/generation/"
cp "$root/data/classification/sst2/stsa.binary.train" "$out/data/classification/sst2/"
cp -r "$root/data/arch-refs/llama-untied-gqa" "$root/data/arch-refs/README.md" "$out/data/arch-refs/"
mkdir -p "$out/peers"
cp "$root"/benchmarks/peers/*.py "$out/peers/"
cp "$root/build/gpu-bundle/run.sh" "$out/run.sh"
chmod +x "$out/run.sh"
echo "$version" > "$out/dotnet-runtime.version"

size=$(du -sb "$out" | cut -f1)
echo "gpu-bundle: $out, $((size / 1024 / 1024)) MiB ($size bytes), .NET runtime $version"
du -sh "$out"/* | sed 's/^/  /'
if [ "$size" -gt "$limit" ]; then echo "gpu-bundle: over 60 MiB" >&2; exit 1; fi
