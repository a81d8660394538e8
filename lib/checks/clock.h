// PLACEHOLDER (the clock helper replaces this file).
#pragma once
#include "checks/registry.h"
namespace hsops::checks { CheckInfo clock_check_info(); }
