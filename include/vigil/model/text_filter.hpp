// TextFilter: the '/' filter of the interactive view. A pattern with regular-expression
// characters that compiles as a POSIX extended, case-insensitive expression is one;
// anything else is matched as a plain case-insensitive substring, so typing "a[" never
// errors out.
//
// POSIX regcomp/regexec (glibc), not std::regex: libstdc++'s std::regex backtracks and
// recurses, so a pattern such as (a*)*b took seconds per command line under the fuzzer
// and a long command line can overflow its stack; a filter the user types must never
// freeze the view.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace vigil {

class TextFilter {
  public:
    void set(std::string pattern);
    const std::string& pattern() const { return pattern_; }
    bool active() const { return !pattern_.empty(); }
    bool is_regex() const { return regex_ != nullptr; }
    bool matches(std::string_view text) const;

    struct Compiled;  // the regex_t, behind a pointer so this header needs no <regex.h>

  private:
    std::string pattern_;
    std::string lowered_;                    // for the substring fallback
    std::shared_ptr<const Compiled> regex_;  // shared: ViewState stays cheap to copy
};

}  // namespace vigil
