// Thin entry point: everything lives in the library (tests link it too).
#include "cli/cli.hpp"

int main(int argc, char** argv) { return cloudpact::cli_main(argc, argv); }
