// A new API token is shown in the answer to the form that created it. Point this history entry
// at the plain settings page, so a reload shows the page again instead of minting another token.
if (document.querySelector(".new-token")) {
  history.replaceState(null, "", document.querySelector(".new-token").dataset.settingsUrl);
}
