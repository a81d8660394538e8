// PLACEHOLDER (the disk helper replaces this file).
#pragma once
#include "checks/registry.h"
namespace hsops::checks { CheckInfo disk_check_info(); }
