#!/usr/bin/env bash
# Reproduces the defaults study of docs/evaluation.md ("Defaults"): selection on SST-2 and TREC-6, confirmation on the
# UCI Yelp/Amazon/IMDb sentences and BANKING77. 1,500 training rows (UCI: all 800), 1 epoch, max length 64, seeds 1-3.
# About 1 hour 45 minutes on 2 CPU cores. Run from the repository root.
set -euo pipefail
dotnet build -c Release samples/Evaluation
run() { dotnet run -c Release --no-build --project samples/Evaluation -- "$@"; }
out=docs/evaluation/defaults
common="--seeds 1,2,3 --train-rows 1500 --test-rows 1000 --max-length 64 --epochs 1 --no-fusion --second-sparsity 0 --threads 1"
for lr in 0.005 0.01 0.02; do
  run --tasks sst2,trec $common --methods shira-random,shira-struct --shira-lr $lr --output $out/sel-shira-$lr
done
for lr in 0.002 0.005 0.01; do
  run --tasks sst2,trec $common --methods lora --lora-lr $lr --output $out/sel-lora-$lr
done
for lr in 0.01 0.005; do
  run --tasks yelp,amazon,imdb,banking77 $common --methods shira-random --shira-lr $lr --output $out/conf-shira-$lr
done
for lr in 0.005 0.002; do
  run --tasks yelp,amazon,imdb,banking77 $common --methods lora --lora-lr $lr --output $out/conf-lora-$lr
done
