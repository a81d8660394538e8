// placeholder: the net helper implements http.h here.
#include "net/http.h"
