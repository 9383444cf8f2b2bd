#!/usr/bin/env Rscript
# Times sva::ComBat (parametric) on the data bench_batch generates, in the same benchmark run.
# Usage: Rscript sva_combat.R DATA.npy NUM_BATCHES
#   DATA.npy: float64, C order, samples x features (= R's features x samples column-major);
#   batch of sample i (0-based) is i %% NUM_BATCHES, as in benchmarks/batch/bench_batch.cpp.
# Prints "seconds <elapsed of the ComBat call>" (data loading excluded) and a checksum.
suppressMessages(library(sva))
args <- commandArgs(trailingOnly = TRUE)
path <- args[1]; nb <- as.integer(args[2])
con <- file(path, "rb")
magic <- readBin(con, "raw", 8)
hlen <- readBin(con, "integer", 1, size = 2, signed = FALSE, endian = "little")
header <- rawToChar(readBin(con, "raw", hlen))
shape <- as.integer(strsplit(sub(".*\\(([0-9]+), ([0-9]+)\\).*", "\\1 \\2", header), " ")[[1]])
n <- shape[1]; g <- shape[2]
dat <- matrix(readBin(con, "double", n * g, size = 8, endian = "little"), nrow = g, ncol = n)
close(con)
batch <- (seq_len(n) - 1) %% nb
t0 <- proc.time()[["elapsed"]]
res <- suppressMessages(ComBat(dat, batch))
t1 <- proc.time()[["elapsed"]]
cat(sprintf("seconds %.6f\n", t1 - t0))
cat(sprintf("checksum %.10g\n", sum(res[, 1:min(10, n)])))
