#pragma once
/// @file plot.hpp
/// @brief Umbrella header of c2s::plot (needs the `c2s::plot` CMake target, i.e. cairo).

#include "c2s/plot/axes.hpp"
#include "c2s/plot/bar_plot.hpp"
#include "c2s/plot/box_plot.hpp"
#include "c2s/plot/color.hpp"
#include "c2s/plot/figure.hpp"
#include "c2s/plot/grid.hpp"
#include "c2s/plot/heatmap.hpp"
#include "c2s/plot/line_plot.hpp"
#include "c2s/plot/overlay.hpp"
#include "c2s/plot/scatter_plot.hpp"
