// placeholder: the config helper implements config.h here.
#include "config/config.h"
