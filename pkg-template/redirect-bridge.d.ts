/** Call on the redirect page of popups and hidden iframes: sends the response to the waiting window. */
export function broadcastResponseToMainFrame(): Promise<boolean>;
