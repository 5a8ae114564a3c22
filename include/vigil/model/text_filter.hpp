// TextFilter: the '/' filter of the interactive view. A pattern with regular-expression
// characters that compiles as a case-insensitive RE2 expression is one (RE2 syntax: POSIX
// extended expressions and Perl's classes such as \d; no back-references); anything else
// is matched as a plain case-insensitive substring, so typing "a[" never errors out.
//
// RE2, not POSIX regexec or std::regex: a filter the user types must never freeze the
// view, and command lines reach 2 MB. glibc's regexec took 49 s for "A.*B" over 100 KB,
// and libstdc++'s std::regex backtracks and recurses (seconds for (a*)*b, a stack overflow
// on a long line). RE2 matches in time linear in the text and within a memory budget.
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

    struct Compiled;  // the RE2, behind a pointer so this header needs no <re2/re2.h>

  private:
    std::string pattern_;
    std::string lowered_;                    // for the substring fallback
    std::shared_ptr<const Compiled> regex_;  // shared: ViewState stays cheap to copy
};

}  // namespace vigil
