// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <string>

#include "core/config.h"
#include "core/error.h"

namespace fathom::configs {

/// True when the message already starts with "file:line:column: ".
bool has_location_prefix(const std::string& message);

/// Puts the file:line:column of the value an error is about in front of it, for errors raised
/// by code that does not know locations (a layer's constructor, an optimizer's checks): the
/// value of the key named by a Keras-style "Received: key=...", else a string value quoted in
/// the message ('relux'), searched inside `spec`; else `spec` itself. `what` says which entry
/// ("model layer 2"). Errors that already start with a location are left alone.
void locate_error(Error& e, const Config& spec, const std::string& what);

}  // namespace fathom::configs
