#pragma once
/// @file all.hpp
/// @brief Everything in c2s::distance: bit and dense similarities, matrices, tiles, search.

#include "c2s/distance/bits.hpp"
#include "c2s/distance/cosine.hpp"
#include "c2s/distance/dispatch.hpp"
#include "c2s/distance/engine.hpp"
#include "c2s/distance/matrix.hpp"
#include "c2s/distance/search.hpp"
#include "c2s/distance/sliced.hpp"
#include "c2s/distance/tiles.hpp"
