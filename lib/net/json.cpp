// placeholder: the net helper implements json.h here.
#include "net/http.h"
