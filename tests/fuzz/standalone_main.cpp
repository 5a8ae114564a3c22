// Runs a libFuzzer target once per file given (or per file in a directory given), without
// libFuzzer: the regression inputs and seed corpus run in every build, with any compiler.
#include <dirent.h>
#include <sys/stat.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {
int run_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "cannot read %s\n", path.c_str());
        return 1;
    }
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    return 0;
}

int run_path(const std::string& path, int& count) {
    struct stat sb {};
    if (stat(path.c_str(), &sb) != 0) {
        std::fprintf(stderr, "no such input: %s\n", path.c_str());
        return 1;
    }
    if (!S_ISDIR(sb.st_mode)) {
        ++count;
        return run_file(path);
    }
    DIR* d = opendir(path.c_str());
    if (!d) return 1;
    int rc = 0;
    while (dirent* e = readdir(d)) {
        std::string name = e->d_name;
        if (name == "." || name == "..") continue;
        rc |= run_path(path + "/" + name, count);
    }
    closedir(d);
    return rc;
}
}  // namespace

int main(int argc, char** argv) {
    int rc = 0, count = 0;
    for (int i = 1; i < argc; ++i) rc |= run_path(argv[i], count);
    std::printf("%d inputs ran\n", count);
    return rc;
}
