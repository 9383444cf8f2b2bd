#pragma once
/// @file split.hpp
/// @brief Umbrella header of the split component: group k-fold, stratified group k-fold and
/// leave-one-group-out (scikit-learn parity), group shuffle train/validation/test splits with
/// strata, controls and caps, the two-key (compound and batch) split, and the leakage check.

#include "c2s/split/assignment.hpp"
#include "c2s/split/kfold.hpp"
#include "c2s/split/labels.hpp"
#include "c2s/split/leakage.hpp"
#include "c2s/split/numpy_compat.hpp"
#include "c2s/split/random.hpp"
#include "c2s/split/shuffle.hpp"
#include "c2s/split/table.hpp"
#include "c2s/split/two_key.hpp"
