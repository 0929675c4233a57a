// share_site_texts: every SharedText setting of a SiteConfig, interned.
#include "hc/common/config.h"

namespace hc {
namespace {

void share(std::optional<SharedText>& text, TextPool& pool) {
  if (text) pool.intern_in_place(*text);
}

}  // namespace

void share_site_texts(SiteConfig& site, TextPool& pool) {
  for (SharedText* text : {&site.destination_topic, &site.method, &site.events_topic, &site.proxy,
                           &site.no_proxy, &site.send, &site.tls.ca_file, &site.tls.cert_file,
                           &site.tls.key_file, &site.tls.server_name}) {
    pool.intern_in_place(*text);
  }
  if (site.basic_auth) {
    pool.intern_in_place(site.basic_auth->username);
    pool.intern_in_place(site.basic_auth->password);
  }
  for (std::optional<SharedText>* text :
       {&site.regex, &site.regex_absent, &site.expect, &site.expected_pattern}) {
    share(*text, pool);
  }
}

}  // namespace hc
