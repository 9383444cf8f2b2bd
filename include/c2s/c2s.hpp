#pragma once
/// @file c2s.hpp
/// @brief Umbrella header of the cell2structure core (never includes RDKit or LibTorch).

#include "c2s/core/aligned.hpp"
#include "c2s/core/concepts.hpp"
#include "c2s/core/error.hpp"
#include "c2s/core/fingerprints.hpp"
#include "c2s/core/labeled_matrix.hpp"
#include "c2s/core/parallelize.hpp"
#include "c2s/core/pipeline.hpp"
#include "c2s/core/progress.hpp"
#include "c2s/data/bbbc021.hpp"
#include "c2s/io/atomic_file.hpp"
#include "c2s/io/csv.hpp"
#include "c2s/io/npy.hpp"
#include "c2s/io/table.hpp"
#include "c2s/io/text_file.hpp"
