#include "c2s/train/trainer.hpp"
#include "test_support.hpp"
