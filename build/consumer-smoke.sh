#!/usr/bin/env bash
# Packs Microsoft.ML.Shira into the local folder feed (artifacts/packages), then builds and runs a throwaway console
# app that references the .nupkg (not the project) plus the CPU backend, and creates a tensor. This proves that the
# package's buildTransitive target makes TorchSharp load on a consumer's machine (e.g. Debian 12) by itself.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
feed="$root/artifacts/packages"
version="0.1.0-smoke.$(date +%Y%m%d%H%M%S)"
app="$(mktemp -d)"
trap 'rm -rf "$app"' EXIT

echo "consumer-smoke: packing Microsoft.ML.Shira $version"
dotnet pack "$root/src/Microsoft.ML.Shira/Microsoft.ML.Shira.csproj" -c Release -p:Version="$version" -o "$feed" --nologo -v quiet

# A zip stores entry names uncompressed, so grep finds them in the .nupkg itself; no unzip needed (a fresh machine
# has only the .NET SDK).
nupkg="$feed/Microsoft.ML.Shira.$version.nupkg"
[ -f "$nupkg" ] || { echo "consumer-smoke: dotnet pack did not write $nupkg" >&2; exit 1; }
package_has() { LC_ALL=C grep -qaF "$1" "$nupkg"; }
package_has 'buildTransitive/Microsoft.ML.Shira.targets' \
  || { echo "consumer-smoke: the package lacks buildTransitive/Microsoft.ML.Shira.targets" >&2; exit 1; }
package_has 'lib/net10.0/Microsoft.ML.Shira.xml' \
  || { echo "consumer-smoke: the package lacks its XML documentation" >&2; exit 1; }
# The default encoder's weights live in Microsoft.ML.Shira.Data.MiniLM; the library package stays a few MB.
package_bytes=$(stat -c %s "$nupkg")
echo "consumer-smoke: Microsoft.ML.Shira package is $package_bytes bytes"
[ "$package_bytes" -lt 10000000 ] || { echo "consumer-smoke: the package is $package_bytes bytes; it should not carry encoder weights" >&2; exit 1; }

# The app lives outside the repository so none of the repository's MSBuild files apply to it.
cat > "$app/NuGet.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="shira-local" value="$feed" />
  </packageSources>
</configuration>
XML
cat > "$app/Smoke.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <NoWarn>NU1603</NoWarn>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Microsoft.ML.Shira" Version="$version" />
    <PackageReference Include="libtorch-cpu-linux-x64" Version="2.10.0" />
  </ItemGroup>
</Project>
XML
cat > "$app/Program.cs" <<'CS'
using System;
using static TorchSharp.torch;
using var t = ones(3, 4) * 2;
float sum = t.sum().item<float>();
Console.WriteLine($"consumer-smoke: tensor sum = {sum}, Microsoft.ML.Shira {Microsoft.ML.Shira.ShiraInfo.Version}");
return sum == 24f ? 0 : 1;
CS

echo "consumer-smoke: building a console app against the package"
if ! dotnet build "$app/Smoke.csproj" -c Release --nologo -v minimal > "$app/build.log" 2>&1; then
  cat "$app/build.log" >&2; echo "consumer-smoke: the console app did not build" >&2; exit 1
fi
grep -E 'Microsoft.ML.Shira:' "$app/build.log" || true
dotnet "$app/bin/Release/net10.0/Smoke.dll"

cache_copy="$(find "${NUGET_PACKAGES:-$HOME/.nuget/packages}/torchsharp" -name libLibTorchSharp.so -path '*linux-x64*' | head -1)"
if [ -n "$cache_copy" ] && command -v readelf >/dev/null && readelf -V "$cache_copy" | grep 'GLIBCXX_3.4.32' | grep -q WEAK; then
  echo "consumer-smoke: the NuGet cache copy was modified; only build outputs may be patched" >&2; exit 1
fi
rm -f "$feed/Microsoft.ML.Shira.$version.nupkg" "$feed/Microsoft.ML.Shira.$version.snupkg"
echo "consumer-smoke: OK"
