<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="hi_IN">
<context>
    <name>Accessibility</name>
    <message>
        <source>Stops the verification in flight. Key: Escape.</source>
        <translation>चल रहा सत्यापन रोकता है। कुंजी: Escape।</translation>
    </message>
    <message>
        <source>For a REVIEW verdict: a supervisor confirms the customer is live, with their PIN. Key: F9.</source>
        <translation>REVIEW निर्णय के लिए: पर्यवेक्षक अपने PIN से पुष्टि करते हैं कि ग्राहक वास्तविक है। कुंजी: F9।</translation>
    </message>
    <message>
        <source>For a REVIEW verdict: a supervisor rejects the capture, with their PIN. Key: F10.</source>
        <translation>REVIEW निर्णय के लिए: पर्यवेक्षक अपने PIN से फ़ोटो अस्वीकार करते हैं। कुंजी: F10।</translation>
    </message>
    <message>
        <source>Optional. Recorded with the attempt in the audit journal.</source>
        <translation>वैकल्पिक। प्रयास के साथ ऑडिट जर्नल में दर्ज होता है।</translation>
    </message>
    <message>
        <source>The language the customer reads and hears. Key: F2 switches it.</source>
        <translation>वह भाषा जिसमें ग्राहक पढ़ते और सुनते हैं। कुंजी: F2 से बदलें।</translation>
    </message>
    <message>
        <source>Result details and history</source>
        <translation>परिणाम का विवरण और इतिहास</translation>
    </message>
    <message>
        <source>Consent notice: {notice}</source>
        <translation>सहमति सूचना: {notice}</translation>
    </message>
    <message>
        <source>Capture guide: {instruction}</source>
        <translation>फ़ोटो मार्गदर्शन: {instruction}</translation>
    </message>
    <message>
        <source>Live camera picture, or the captured picture.</source>
        <translation>कैमरे की लाइव तस्वीर, या ली गई तस्वीर।</translation>
    </message>
    <message>
        <source>Verdict</source>
        <translation>निर्णय</translation>
    </message>
    <message>
        <source>Verdict: {word}.</source>
        <translation>निर्णय: {word}।</translation>
    </message>
    <message>
        <source>Verdict symbol</source>
        <translation>निर्णय का चिह्न</translation>
    </message>
    <message>
        <source>Verdict word</source>
        <translation>निर्णय का शब्द</translation>
    </message>
    <message>
        <source>Action line</source>
        <translation>अगला कदम</translation>
    </message>
    <message>
        <source>Verdict note</source>
        <translation>निर्णय की टिप्पणी</translation>
    </message>
</context>
<context>
    <name>Admin</name>
    <message>
        <source>Settings</source>
        <translation>सेटिंग्स</translation>
    </message>
    <message>
        <source>The settings cannot be shown: {problem}</source>
        <translation>सेटिंग्स नहीं दिखाई जा सकतीं: {problem}</translation>
    </message>
    <message>
        <source>open the settings</source>
        <translation>सेटिंग्स खोलने</translation>
    </message>
    <message>
        <source>Settings not saved</source>
        <translation>सेटिंग्स सेव नहीं हुईं</translation>
    </message>
</context>
<context>
    <name>Banner</name>
    <message>
        <source>(Esc cancels)</source>
        <translation>(Esc से रद्द करें)</translation>
    </message>
    <message>
        <source>Press Space again to capture anyway.</source>
        <translation>फिर भी फ़ोटो लेनी हो तो Space दोबारा दबाएँ।</translation>
    </message>
    <message>
        <source>Press Space to capture</source>
        <translation>फ़ोटो लेने के लिए Space दबाएँ</translation>
    </message>
    <message>
        <source>Verifying…</source>
        <translation>जाँच हो रही है…</translation>
    </message>
</context>
<context>
    <name>Camera</name>
    <message>
        <source>Starting the camera…</source>
        <translation>कैमरा चालू हो रहा है…</translation>
    </message>
    <message>
        <source>Camera is live.</source>
        <translation>कैमरा चालू है।</translation>
    </message>
    <message>
        <source>Not a live camera: a picture or a video file.</source>
        <translation>लाइव कैमरा नहीं: एक फ़ोटो या वीडियो फ़ाइल।</translation>
    </message>
    <message>
        <source>Camera disconnected — reconnecting…</source>
        <translation>कैमरा का कनेक्शन टूटा — फिर से जोड़ रहे हैं…</translation>
    </message>
    <message>
        <source>Camera stopped.</source>
        <translation>कैमरा बंद है।</translation>
    </message>
    <message>
        <source>The camera stopped because of an internal error. Restart the station.</source>
        <translation>आंतरिक गड़बड़ी के कारण कैमरा रुक गया। स्टेशन को फिर से चालू करें।</translation>
    </message>
    <message>
        <source>The camera is not set up correctly: {error}</source>
        <translation>कैमरा ठीक से सेट नहीं है: {error}</translation>
    </message>
    <message>
        <source>Camera not available. Check that it is plugged in and not used by another program; the station keeps trying.</source>
        <translation>कैमरा उपलब्ध नहीं है। देखें कि वह लगा हुआ है और कोई दूसरा प्रोग्राम उसे नहीं चला रहा; स्टेशन कोशिश करता रहेगा।</translation>
    </message>
    <message>
        <source>The video file {name} has ended.</source>
        <translation>वीडियो फ़ाइल {name} समाप्त हो गई है।</translation>
    </message>
</context>
<context>
    <name>Consent</name>
    <message>
        <source>Hold still: capturing…</source>
        <translation>हिलें नहीं: फ़ोटो ली जा रही है…</translation>
    </message>
    <message>
        <source>Before we take your picture</source>
        <translation>आपकी फ़ोटो लेने से पहले</translation>
    </message>
    <message>
        <source>The operator presses F7 if you agree, F8 if you do not.</source>
        <translation>आप सहमत हैं तो कर्मचारी F7 दबाएँगे, नहीं हैं तो F8।</translation>
    </message>
    <message>
        <source>To confirm that you are present in person, this station takes one picture of your face. The picture is sent securely to our verification provider, Surepass, only to check that it shows a live person, and is not kept on this computer. The bank keeps a record of the check (the result, the time and a fingerprint of the picture, never the picture itself) for as long as banking rules require. You may refuse: the branch will then check your identity another way. Ask the branch manager for any question about your data.</source>
        <translation>आप स्वयं उपस्थित हैं, इसकी पुष्टि के लिए यह मशीन आपके चेहरे की एक फ़ोटो लेती है। फ़ोटो सुरक्षित तरीक़े से हमारी सत्यापन सेवा Surepass को भेजी जाती है, सिर्फ़ यह जाँचने के लिए कि फ़ोटो में जीवित व्यक्ति है; यह इस कंप्यूटर पर नहीं रखी जाती। बैंक इस जाँच का रिकॉर्ड (परिणाम, समय और फ़ोटो की एक पहचान-छाप — फ़ोटो कभी नहीं) उतने समय तक रखता है जितना बैंकिंग नियम कहते हैं। आप मना कर सकते हैं: तब शाखा आपकी पहचान दूसरे तरीक़े से जाँचेगी। अपने डेटा के बारे में कोई भी सवाल शाखा प्रबंधक से पूछें।</translation>
    </message>
</context>
<context>
    <name>Crash</name>
    <message>
        <source>Station: unexpected problem</source>
        <translation>स्टेशन: अचानक आई समस्या</translation>
    </message>
    <message>
        <source>Something went wrong. The station keeps running.
Reference: {incident} — give this to IT support.</source>
        <translation>कुछ गड़बड़ हुई। स्टेशन चलता रहेगा।
संदर्भ: {incident} — यह IT सहायता को बताएँ।</translation>
    </message>
    <message>
        <source>({count} more problem since this message first appeared.)</source>
        <translation>(यह संदेश आने के बाद {count} और समस्या।)</translation>
    </message>
    <message>
        <source>({count} more problems since this message first appeared.)</source>
        <translation>(यह संदेश आने के बाद {count} और समस्याएँ।)</translation>
    </message>
    <message>
        <source>Latest reference: {incident}</source>
        <translation>नया संदर्भ: {incident}</translation>
    </message>
    <message>
        <source>Unexpected problem</source>
        <translation>अचानक आई समस्या</translation>
    </message>
</context>
<context>
    <name>Details</name>
    <message>
        <source>Live person confirmed. You may continue with the customer.</source>
        <translation>जीवित व्यक्ति की पुष्टि हुई। आप ग्राहक का काम आगे बढ़ा सकते हैं।</translation>
    </message>
    <message>
        <source>Liveness not confirmed. Ask the customer to remove anything covering the face and look straight at the camera, then try once more. If it fails again, follow the branch&apos;s manual identity check.</source>
        <translation>जीवित व्यक्ति की पुष्टि नहीं हुई। ग्राहक से चेहरे पर से कोई भी चीज़ हटाने और सीधे कैमरे की ओर देखने को कहें, फिर एक बार और कोशिश करें। फिर भी न हो तो शाखा की मैनुअल पहचान जाँच करें।</translation>
    </message>
    <message>
        <source>Borderline result. A supervisor must review the customer and confirm or reject with their own id and PIN.</source>
        <translation>परिणाम सीमा पर है। सुपरवाइज़र ग्राहक को देखकर अपनी आईडी और पिन से पुष्टि करें या अस्वीकार करें।</translation>
    </message>
    <message>
        <source>No face found. Please ensure the customer&apos;s face is clearly visible and centred, then capture again.</source>
        <translation>चेहरा नहीं मिला। ग्राहक का चेहरा साफ़ और बीच में दिखे, फिर दोबारा फ़ोटो लें।</translation>
    </message>
    <message>
        <source>More than one person in frame. Ask that only the customer stays in view, then capture again.</source>
        <translation>फ़्रेम में एक से ज़्यादा व्यक्ति हैं। सिर्फ़ ग्राहक कैमरे के सामने रहें, फिर दोबारा फ़ोटो लें।</translation>
    </message>
    <message>
        <source>The face is not clear enough. Improve the lighting, ask the customer to face the camera and hold still, then capture again.</source>
        <translation>चेहरा साफ़ नहीं है। रोशनी बढ़ाएँ, ग्राहक से कैमरे की ओर देखने और स्थिर रहने को कहें, फिर दोबारा फ़ोटो लें।</translation>
    </message>
    <message>
        <source>The picture could not be analysed. Please ensure the customer&apos;s face is clearly visible and try again.</source>
        <translation>फ़ोटो की जाँच नहीं हो सकी। ग्राहक का चेहरा साफ़ दिखे, फिर दोबारा कोशिश करें।</translation>
    </message>
    <message>
        <source>The audit journal cannot be written, so nothing was sent to the service. Do not capture again: call IT support.</source>
        <translation>ऑडिट जर्नल में लिखा नहीं जा सकता, इसलिए सेवा को कुछ नहीं भेजा गया। दोबारा फ़ोटो न लें: IT सहायता को बुलाएँ।</translation>
    </message>
    <message>
        <source>The station&apos;s access to the service was refused. Call IT support: the token needs renewing.</source>
        <translation>सेवा ने स्टेशन को अनुमति नहीं दी। IT सहायता को बुलाएँ: टोकन नया करना होगा।</translation>
    </message>
    <message>
        <source>The service is busy right now. Wait a minute, then capture again.</source>
        <translation>सेवा अभी व्यस्त है। एक मिनट रुककर दोबारा फ़ोटो लें।</translation>
    </message>
    <message>
        <source>The verification service is not available. Wait a minute and capture again; if it persists, call IT.</source>
        <translation>सत्यापन सेवा उपलब्ध नहीं है। एक मिनट रुककर दोबारा फ़ोटो लें; फिर भी न हो तो IT को बुलाएँ।</translation>
    </message>
    <message>
        <source>The service did not answer in time. Check the network, then capture again.</source>
        <translation>सेवा ने समय पर जवाब नहीं दिया। नेटवर्क जाँचें, फिर दोबारा फ़ोटो लें।</translation>
    </message>
    <message>
        <source>The secure connection to the service failed. Do not retry; call IT support.</source>
        <translation>सेवा से सुरक्षित कनेक्शन नहीं बना। दोबारा कोशिश न करें; IT सहायता को बुलाएँ।</translation>
    </message>
    <message>
        <source>The station cannot reach the service. Check the network cable or Wi-Fi, then capture again.</source>
        <translation>स्टेशन सेवा तक नहीं पहुँच पा रहा। नेटवर्क केबल या Wi-Fi जाँचें, फिर दोबारा फ़ोटो लें।</translation>
    </message>
    <message>
        <source>The service refused the request. Capture again; if it repeats, call IT support.</source>
        <translation>सेवा ने अनुरोध अस्वीकार किया। दोबारा फ़ोटो लें; फिर से हो तो IT सहायता को बुलाएँ।</translation>
    </message>
    <message>
        <source>The service gave an answer the station cannot read. Capture again; if it repeats, call IT.</source>
        <translation>सेवा का जवाब स्टेशन पढ़ नहीं सका। दोबारा फ़ोटो लें; फिर से हो तो IT को बुलाएँ।</translation>
    </message>
    <message>
        <source>The verification could not be completed. Capture again; if it repeats, call IT support.</source>
        <translation>सत्यापन पूरा नहीं हो सका। दोबारा फ़ोटो लें; फिर से हो तो IT सहायता को बुलाएँ।</translation>
    </message>
    <message>
        <source>Confirmed live by {who}. You may continue with the customer.</source>
        <translation>{who} ने जीवित व्यक्ति की पुष्टि की। आप ग्राहक का काम आगे बढ़ा सकते हैं।</translation>
    </message>
    <message>
        <source>Rejected by {who}. Follow the branch&apos;s manual identity check.</source>
        <translation>{who} ने अस्वीकार किया। शाखा की मैनुअल पहचान जाँच करें।</translation>
    </message>
    <message>
        <source>supervisor {supervisor}</source>
        <translation>सुपरवाइज़र {supervisor}</translation>
    </message>
    <message>
        <source>The captured frame could not be encoded: {error}</source>
        <translation>ली गई फ़ोटो तैयार नहीं हो सकी: {error}</translation>
    </message>
    <message>
        <source>Unexpected failure ({name}). Capture again.</source>
        <translation>अचानक गड़बड़ी ({name})। दोबारा फ़ोटो लें।</translation>
    </message>
    <message>
        <source>The verification could not be completed because of a fault in the station. Capture again; if it repeats, call IT support.</source>
        <translation>स्टेशन में गड़बड़ी के कारण सत्यापन पूरा नहीं हो सका। दोबारा फ़ोटो लें; फिर से हो तो IT सहायता को बुलाएँ।</translation>
    </message>
    <message>
        <source>no journal row was written</source>
        <translation>जर्नल में कोई पंक्ति नहीं लिखी गई</translation>
    </message>
    <message>
        <source>The audit record could not be written ({reason}). {message}</source>
        <translation>ऑडिट रिकॉर्ड नहीं लिखा जा सका ({reason})। {message}</translation>
    </message>
    <message>
        <source>no verdict</source>
        <translation>कोई निर्णय नहीं</translation>
    </message>
    <message>
        <source>Score {score} against the station&apos;s threshold {threshold}</source>
        <translation>स्कोर {score}, स्टेशन की सीमा {threshold}</translation>
    </message>
    <message>
        <source>Service verdict: {verdict} (threshold {threshold})</source>
        <translation>सेवा का निर्णय: {verdict} (सीमा {threshold})</translation>
    </message>
    <message>
        <source>Service verdict: {verdict}</source>
        <translation>सेवा का निर्णय: {verdict}</translation>
    </message>
    <message>
        <source>Note: the station&apos;s decision differs from the service&apos;s verdict.</source>
        <translation>ध्यान दें: स्टेशन का निर्णय सेवा के निर्णय से अलग है।</translation>
    </message>
    <message>
        <source>Faces: {count}, frame {size}</source>
        <translation>चेहरे: {count}, फ़्रेम {size}</translation>
    </message>
    <message>
        <source>Faces: {count}</source>
        <translation>चेहरे: {count}</translation>
    </message>
    <message>
        <source>  Face {index} (primary): box {box}; live {live}, anti-spoof {antispoof}, detection {detection}</source>
        <translation>  चेहरा {index} (मुख्य): बॉक्स {box}; जीवित {live}, एंटी-स्पूफ़ {antispoof}, पहचान {detection}</translation>
    </message>
    <message>
        <source>  Face {index}: box {box}; live {live}, anti-spoof {antispoof}, detection {detection}</source>
        <translation>  चेहरा {index}: बॉक्स {box}; जीवित {live}, एंटी-स्पूफ़ {antispoof}, पहचान {detection}</translation>
    </message>
    <message>
        <source>Reason: {reason}</source>
        <translation>कारण: {reason}</translation>
    </message>
    <message>
        <source>Service reference (client_id): {client_id}</source>
        <translation>सेवा संदर्भ (client_id): {client_id}</translation>
    </message>
    <message>
        <source>Cause: {cause}</source>
        <translation>वजह: {cause}</translation>
    </message>
    <message>
        <source>{ms} ms, {attempts} attempt(s), {host}</source>
        <translation>{ms} ms, {attempts} प्रयास, {host}</translation>
    </message>
    <message>
        <source>{ms} ms, {attempts} attempt(s)</source>
        <translation>{ms} ms, {attempts} प्रयास</translation>
    </message>
    <message>
        <source>AUDIT RECORD NOT WRITTEN: {error}. The result is not final.</source>
        <translation>ऑडिट रिकॉर्ड नहीं लिखा गया: {error}। यह परिणाम अंतिम नहीं है।</translation>
    </message>
    <message>
        <source>Audit record #{sequence}</source>
        <translation>ऑडिट रिकॉर्ड #{sequence}</translation>
    </message>
    <message>
        <source>The station service stopped during the verification: it was not recorded here. Do not capture again; call IT support.</source>
        <translation>सत्यापन के दौरान स्टेशन सेवा रुक गई: यह यहाँ दर्ज नहीं हुआ। दोबारा फ़ोटो न लें; IT सहायता को बुलाएँ।</translation>
    </message>
</context>
<context>
    <name>Headline</name>
    <message>
        <source>Ready</source>
        <translation>तैयार</translation>
    </message>
    <message>
        <source>Consent</source>
        <translation>सहमति</translation>
    </message>
    <message>
        <source>Verifying…</source>
        <translation>जाँच हो रही है…</translation>
    </message>
    <message>
        <source>LIVE</source>
        <translation>जीवित</translation>
    </message>
    <message>
        <source>SPOOF</source>
        <translation>संदिग्ध</translation>
    </message>
    <message>
        <source>RETRY</source>
        <translation>दोबारा</translation>
    </message>
    <message>
        <source>REVIEW</source>
        <translation>जाँच ज़रूरी</translation>
    </message>
    <message>
        <source>ERROR</source>
        <translation>त्रुटि</translation>
    </message>
    <message>
        <source>NOT FINAL</source>
        <translation>अंतिम नहीं</translation>
    </message>
    <message>
        <source>NO CONSENT</source>
        <translation>सहमति नहीं</translation>
    </message>
    <message>
        <source>Not ready</source>
        <translation>तैयार नहीं</translation>
    </message>
</context>
<context>
    <name>Health</name>
    <message>
        <source>stopped</source>
        <translation>रुका हुआ</translation>
    </message>
    <message>
        <source>missing</source>
        <translation>नहीं है</translation>
    </message>
    <message>
        <source>no answer</source>
        <translation>कोई उत्तर नहीं</translation>
    </message>
    <message>
        <source>enrolled</source>
        <translation>दर्ज है</translation>
    </message>
    <message>
        <source>off</source>
        <translation>बंद</translation>
    </message>
    <message>
        <source>starting</source>
        <translation>शुरू हो रहा है</translation>
    </message>
    <message>
        <source>reconnecting</source>
        <translation>फिर से जुड़ रहा है</translation>
    </message>
    <message>
        <source>live</source>
        <translation>चालू</translation>
    </message>
    <message>
        <source>not available</source>
        <translation>उपलब्ध नहीं</translation>
    </message>
    <message>
        <source>Token</source>
        <translation>टोकन</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>कैमरा</translation>
    </message>
    <message>
        <source>Journal</source>
        <translation>जर्नल</translation>
    </message>
    <message>
        <source>Service</source>
        <translation>सेवा</translation>
    </message>
    <message>
        <source>Shipping</source>
        <translation>भेजना</translation>
    </message>
    <message>
        <source>checking…</source>
        <translation>जाँच रहे हैं…</translation>
    </message>
    <message>
        <source>balance {amount}</source>
        <translation>बैलेंस {amount}</translation>
    </message>
    <message>
        <source>no token</source>
        <translation>टोकन नहीं</translation>
    </message>
    <message>
        <source>refused</source>
        <translation>अस्वीकृत</translation>
    </message>
    <message>
        <source>TLS failed</source>
        <translation>TLS विफल</translation>
    </message>
    <message>
        <source>unreachable</source>
        <translation>पहुँच नहीं</translation>
    </message>
    <message>
        <source>balance unknown</source>
        <translation>बैलेंस पता नहीं</translation>
    </message>
    <message>
        <source>not configured</source>
        <translation>सेट नहीं है</translation>
    </message>
    <message>
        <source>writable</source>
        <translation>लिख सकते हैं</translation>
    </message>
    <message>
        <source>cannot write</source>
        <translation>लिख नहीं सकते</translation>
    </message>
    <message>
        <source>live · {fps} fps</source>
        <translation>चालू · {fps} fps</translation>
    </message>
    <message>
        <source>No service token is enrolled: verification is off. Call IT support to enrol one.</source>
        <translation>कोई सेवा टोकन दर्ज नहीं है: सत्यापन बंद है। टोकन दर्ज कराने के लिए IT सहायता को बुलाएँ।</translation>
    </message>
    <message>
        <source>shipping off</source>
        <translation>भेजना बंद</translation>
    </message>
    <message>
        <source>all shipped</source>
        <translation>सब भेजा गया</translation>
    </message>
    <message>
        <source>{count} record waiting</source>
        <translation>{count} रिकॉर्ड बाक़ी</translation>
    </message>
    <message>
        <source>{count} records waiting</source>
        <translation>{count} रिकॉर्ड बाक़ी</translation>
    </message>
    <message>
        <source>{count} record waiting, oldest {age}</source>
        <translation>{count} रिकॉर्ड बाक़ी, सबसे पुराना {age}</translation>
    </message>
    <message>
        <source>{count} records waiting, oldest {age}</source>
        <translation>{count} रिकॉर्ड बाक़ी, सबसे पुराना {age}</translation>
    </message>
    <message>
        <source>The service refused the token: call IT support.</source>
        <translation>सेवा ने टोकन अस्वीकार किया: IT सहायता को बुलाएँ।</translation>
    </message>
    <message>
        <source>The secure connection to the service failed: call IT support.</source>
        <translation>सेवा से सुरक्षित कनेक्शन नहीं बना: IT सहायता को बुलाएँ।</translation>
    </message>
    <message>
        <source>The service cannot be reached: check the network cable, then Station ▸ Network check.</source>
        <translation>सेवा तक नहीं पहुँच पा रहे: नेटवर्क केबल जाँचें, फिर स्टेशन ▸ नेटवर्क जाँच।</translation>
    </message>
    <message>
        <source>The balance could not be read: {message}</source>
        <translation>बैलेंस नहीं पढ़ा जा सका: {message}</translation>
    </message>
    <message>
        <source>The audit journal cannot be written ({reason}): results would not be final. Call IT support.</source>
        <translation>ऑडिट जर्नल में लिखा नहीं जा सकता ({reason}): परिणाम अंतिम नहीं होंगे। IT सहायता को बुलाएँ।</translation>
    </message>
    <message>
        <source>Journal shipping: {status}. Call IT if it lasts.</source>
        <translation>जर्नल भेजना: {status}। देर तक रहे तो IT को बुलाएँ।</translation>
    </message>
    <message>
        <source>The audit journal file is missing, or another file is in its place: results cannot be final. Leave its folder as it is and call IT support.</source>
        <translation>ऑडिट जर्नल फ़ाइल गायब है, या उसकी जगह कोई दूसरी फ़ाइल है: परिणाम अंतिम नहीं हो सकते। उसके फ़ोल्डर को जैसा है वैसा ही छोड़ दें और IT सहायता को बुलाएँ।</translation>
    </message>
    <message>
        <source>not answering</source>
        <translation>जवाब नहीं दे रही</translation>
    </message>
    <message>
        <source>not a live camera</source>
        <translation>लाइव कैमरा नहीं</translation>
    </message>
    <message>
        <source>Verification stopped: the station&apos;s policy or settings cannot be used. Call IT support.</source>
        <translation>सत्यापन रुका: स्टेशन की नीति या सेटिंग्स इस्तेमाल नहीं की जा सकतीं। IT सहायता को बुलाएँ।</translation>
    </message>
    <message>
        <source>The service did not answer the last verification. Wait a minute; if it lasts, call IT.</source>
        <translation>सेवा ने पिछले सत्यापन का जवाब नहीं दिया। एक मिनट रुकें; ऐसा बना रहे तो IT को बुलाएँ।</translation>
    </message>
</context>
<context>
    <name>HealthStrip</name>
    <message>
        <source>good</source>
        <translation>ठीक</translation>
    </message>
    <message>
        <source>warning</source>
        <translation>चेतावनी</translation>
    </message>
    <message>
        <source>bad</source>
        <translation>ख़राब</translation>
    </message>
    <message>
        <source>{part} health</source>
        <translation>{part} की स्थिति</translation>
    </message>
    <message>
        <source>{part}: {level}, {word}</source>
        <translation>{part}: {level}, {word}</translation>
    </message>
    <message>
        <source>Station health</source>
        <translation>स्टेशन की स्थिति</translation>
    </message>
</context>
<context>
    <name>History</name>
    <message>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>समय</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>परिणाम</translation>
    </message>
    <message>
        <source>Score</source>
        <translation>स्कोर</translation>
    </message>
    <message>
        <source>Faces</source>
        <translation>चेहरे</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>ऑपरेटर</translation>
    </message>
    <message>
        <source>Customer ref</source>
        <translation>ग्राहक संदर्भ</translation>
    </message>
    <message>
        <source>Settles</source>
        <translation>किसका निपटारा</translation>
    </message>
    <message>
        <source>Client id</source>
        <translation>Client id</translation>
    </message>
    <message>
        <source>{count} purged</source>
        <translation>{count} हटाए गए</translation>
    </message>
    <message>
        <source>checkpoint</source>
        <translation>चेकपॉइंट</translation>
    </message>
    <message>
        <source>{outcome} (review)</source>
        <translation>{outcome} (जाँच)</translation>
    </message>
    <message>
        <source>Attempt {number}: {cells}</source>
        <translation>प्रयास {number}: {cells}</translation>
    </message>
    <message>
        <source>Recent attempts</source>
        <translation>हाल के प्रयास</translation>
    </message>
    <message>
        <source>none</source>
        <translation>कुछ नहीं</translation>
    </message>
</context>
<context>
    <name>Instruction</name>
    <message>
        <source>Ready</source>
        <translation>तैयार</translation>
    </message>
    <message>
        <source>No face found: ask the customer to face the camera</source>
        <translation>चेहरा नहीं दिखा: कृपया कैमरे की ओर देखें</translation>
    </message>
    <message>
        <source>Only one person in frame</source>
        <translation>कैमरे के सामने सिर्फ़ एक व्यक्ति</translation>
    </message>
    <message>
        <source>Move closer</source>
        <translation>थोड़ा पास आइए</translation>
    </message>
    <message>
        <source>Move back a little</source>
        <translation>थोड़ा पीछे हटिए</translation>
    </message>
    <message>
        <source>Centre the face in the oval</source>
        <translation>चेहरा घेरे के बीच में रखें</translation>
    </message>
    <message>
        <source>Too dark: turn on the desk light</source>
        <translation>बहुत अँधेरा: डेस्क की लाइट जलाएँ</translation>
    </message>
    <message>
        <source>Too bright: angle the screen or close the blind</source>
        <translation>बहुत रोशनी: स्क्रीन घुमाएँ या पर्दा लगाएँ</translation>
    </message>
    <message>
        <source>Hold still</source>
        <translation>हिलें नहीं</translation>
    </message>
    <message>
        <source>Camera picture frozen: check the camera</source>
        <translation>कैमरे की तस्वीर रुकी है: कैमरा जाँचें</translation>
    </message>
</context>
<context>
    <name>Licences</name>
    <message>
        <source>Licences</source>
        <translation>लाइसेंस</translation>
    </message>
    <message>
        <source>Third-party components and their licences ({path})</source>
        <translation>अन्य कंपनियों के हिस्से और उनके लाइसेंस ({path})</translation>
    </message>
    <message>
        <source>Third-party licences</source>
        <translation>अन्य कंपनियों के लाइसेंस</translation>
    </message>
    <message>
        <source>Find (a component, a licence…)</source>
        <translation>खोजें (कोई हिस्सा, कोई लाइसेंस…)</translation>
    </message>
    <message>
        <source>Find next</source>
        <translation>अगला खोजें</translation>
    </message>
    <message>
        <source>not found</source>
        <translation>नहीं मिला</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Ask the customer to face the camera, then press Space.</source>
        <translation>ग्राहक से कैमरे की ओर देखने को कहें, फिर Space दबाएँ।</translation>
    </message>
    <message>
        <source>The last result was cleared after {seconds} s. Ask the customer to face the camera, then press Space.</source>
        <translation>पिछला परिणाम {seconds} सेकंड बाद हटा दिया गया। ग्राहक से कैमरे की ओर देखने को कहें, फिर Space दबाएँ।</translation>
    </message>
    <message>
        <source>Consent refused: no picture taken. Use the manual identity check.</source>
        <translation>सहमति नहीं मिली: कोई फ़ोटो नहीं ली गई। मैनुअल पहचान जाँच करें।</translation>
    </message>
    <message>
        <source>Verification cancelled. Press Space to capture again.</source>
        <translation>सत्यापन रद्द हुआ। दोबारा फ़ोटो के लिए Space दबाएँ।</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>सेटिंग्स (&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Network check…</source>
        <translation>नेटवर्क जाँच (&amp;N)…</translation>
    </message>
    <message>
        <source>Station — face liveness verification ({environment})</source>
        <translation>स्टेशन — चेहरे से जीवित व्यक्ति की जाँच ({environment})</translation>
    </message>
    <message>
        <source>Customer reference</source>
        <translation>ग्राहक संदर्भ</translation>
    </message>
    <message>
        <source>Customer reference (application or CIF number, optional)</source>
        <translation>ग्राहक संदर्भ (आवेदन या CIF नंबर, ज़रूरी नहीं)</translation>
    </message>
    <message>
        <source>Capture  (Space)</source>
        <translation>फ़ोटो लें  (Space)</translation>
    </message>
    <message>
        <source>Capture</source>
        <translation>फ़ोटो लें</translation>
    </message>
    <message>
        <source>Cancel  (Esc)</source>
        <translation>रद्द करें  (Esc)</translation>
    </message>
    <message>
        <source>Cancel verification</source>
        <translation>सत्यापन रद्द करें</translation>
    </message>
    <message>
        <source>Next customer  (Enter)</source>
        <translation>अगला ग्राहक  (Enter)</translation>
    </message>
    <message>
        <source>Next customer</source>
        <translation>अगला ग्राहक</translation>
    </message>
    <message>
        <source>Confirm live  (F9)</source>
        <translation>जीवित की पुष्टि  (F9)</translation>
    </message>
    <message>
        <source>Supervisor confirms live</source>
        <translation>सुपरवाइज़र जीवित होने की पुष्टि करें</translation>
    </message>
    <message>
        <source>Reject  (F10)</source>
        <translation>अस्वीकार  (F10)</translation>
    </message>
    <message>
        <source>Supervisor rejects</source>
        <translation>सुपरवाइज़र अस्वीकार करें</translation>
    </message>
    <message>
        <source>Result details</source>
        <translation>परिणाम का ब्योरा</translation>
    </message>
    <message>
        <source>History</source>
        <translation>इतिहास</translation>
    </message>
    <message>
        <source>DEMO</source>
        <translation>डेमो</translation>
    </message>
    <message>
        <source>Environment</source>
        <translation>माहौल</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>ऑपरेटर</translation>
    </message>
    <message>
        <source>Calls saved this shift</source>
        <translation>इस शिफ़्ट में बचाई गई कॉल</translation>
    </message>
    <message>
        <source>DEVELOPMENT OVERRIDES</source>
        <translation>डेवलपमेंट बदलाव लागू</translation>
    </message>
    <message>
        <source>Development overrides in effect</source>
        <translation>डेवलपमेंट बदलाव लागू हैं</translation>
    </message>
    <message>
        <source>&amp;Station</source>
        <translation>स्टेशन (&amp;S)</translation>
    </message>
    <message>
        <source>Screen &amp;language</source>
        <translation>स्क्रीन की भाषा (&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>बंद करें (&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Demo</source>
        <translation>डेमो (&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>मदद (&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About Station</source>
        <translation>स्टेशन के बारे में (&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Licences…</source>
        <translation>लाइसेंस (&amp;L)…</translation>
    </message>
    <message>
        <source>SANDBOX</source>
        <translation>सैंडबॉक्स</translation>
    </message>
    <message>
        <source>PRODUCTION</source>
        <translation>प्रोडक्शन</translation>
    </message>
    <message>
        <source>DEMO — emulated results</source>
        <translation>डेमो — नकली परिणाम</translation>
    </message>
    <message>
        <source>NOT A LIVE CAMERA</source>
        <translation>यह चालू कैमरा नहीं है</translation>
    </message>
    <message>
        <source>Customer&apos;s language: {language}</source>
        <translation>ग्राहक की भाषा: {language}</translation>
    </message>
    <message>
        <source>(F2 switches)</source>
        <translation>(F2 से बदलें)</translation>
    </message>
    <message>
        <source>Customer&apos;s language</source>
        <translation>ग्राहक की भाषा</translation>
    </message>
    <message>
        <source>In effect: {overrides}</source>
        <translation>लागू: {overrides}</translation>
    </message>
    <message>
        <source>Ignored on this station: {refused}</source>
        <translation>इस स्टेशन पर नहीं माना गया: {refused}</translation>
    </message>
    <message>
        <source>Operator: {operator}</source>
        <translation>ऑपरेटर: {operator}</translation>
    </message>
    <message>
        <source>Operator: not signed in</source>
        <translation>ऑपरेटर: साइन इन नहीं</translation>
    </message>
    <message>
        <source>Demo: next verification answers &apos;{scenario}&apos;</source>
        <translation>डेमो: अगला सत्यापन &apos;{scenario}&apos; देगा</translation>
    </message>
    <message>
        <source>About Station</source>
        <translation>स्टेशन के बारे में</translation>
    </message>
    <message>
        <source>Station {version}
Face-liveness verification for bank branches.</source>
        <translation>स्टेशन {version}
बैंक शाखाओं के लिए चेहरे से जीवित व्यक्ति की जाँच।</translation>
    </message>
    <message>
        <source>Calls saved this shift: {count}</source>
        <translation>इस शिफ़्ट में बचाई गई कॉल: {count}</translation>
    </message>
    <message>
        <source>The verdict stays {seconds} s longer ({left} more allowed).</source>
        <translation>निर्णय {seconds} सेकंड और दिखेगा (और {left} बार अनुमति है)।</translation>
    </message>
    <message>
        <source>Keeping a verdict longer is not allowed on this station.</source>
        <translation>इस स्टेशन पर निर्णय को अधिक समय तक रखने की अनुमति नहीं है।</translation>
    </message>
    <message>
        <source>This verdict cannot be kept any longer.</source>
        <translation>यह निर्णय अब और अधिक समय तक नहीं रखा जा सकता।</translation>
    </message>
    <message>
        <source>Automatic capture stopped for this customer: press Space to capture.</source>
        <translation>इस ग्राहक के लिए अपने-आप फ़ोटो बंद: फ़ोटो के लिए Space दबाएँ।</translation>
    </message>
    <message>
        <source>confirm this borderline result as live</source>
        <translation>सीमा पर आए इस परिणाम को जीवित मानने</translation>
    </message>
    <message>
        <source>reject this borderline result</source>
        <translation>सीमा पर आए इस परिणाम को अस्वीकार करने</translation>
    </message>
</context>
<context>
    <name>NetworkCheck</name>
    <message>
        <source>Result</source>
        <translation>परिणाम</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>चरण</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>ब्योरा</translation>
    </message>
    <message>
        <source>Passed</source>
        <translation>सफल</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>विफल</translation>
    </message>
    <message>
        <source>Skipped</source>
        <translation>छोड़ा गया</translation>
    </message>
    <message>
        <source>Network check</source>
        <translation>नेटवर्क जाँच</translation>
    </message>
    <message>
        <source>Checks step by step whether this station can reach the {environment} service.</source>
        <translation>चरण-दर-चरण जाँचता है कि यह स्टेशन {environment} सेवा तक पहुँच सकता है या नहीं।</translation>
    </message>
    <message>
        <source>Network check results</source>
        <translation>नेटवर्क जाँच के परिणाम</translation>
    </message>
    <message>
        <source>Network check summary</source>
        <translation>नेटवर्क जाँच का सार</translation>
    </message>
    <message>
        <source>&amp;Run again</source>
        <translation>फिर से चलाएँ (&amp;R)</translation>
    </message>
    <message>
        <source>Run the network check again</source>
        <translation>नेटवर्क जाँच फिर से चलाएँ</translation>
    </message>
    <message>
        <source>&amp;Copy results</source>
        <translation>परिणाम कॉपी करें (&amp;C)</translation>
    </message>
    <message>
        <source>Copy the network check results</source>
        <translation>नेटवर्क जाँच के परिणाम कॉपी करें</translation>
    </message>
    <message>
        <source>Checking… the window stays usable while the station waits.</source>
        <translation>जाँच हो रही है… इस बीच विंडो काम करती रहेगी।</translation>
    </message>
    <message>
        <source>The check was stopped.</source>
        <translation>जाँच रोक दी गई।</translation>
    </message>
    <message>
        <source>✖ {count} step failed: {steps}. Give these results to the bank&apos;s IT contact.</source>
        <translation>✖ {count} चरण विफल: {steps}। ये परिणाम बैंक के IT संपर्क को दें।</translation>
    </message>
    <message>
        <source>✖ {count} steps failed: {steps}. Give these results to the bank&apos;s IT contact.</source>
        <translation>✖ {count} चरण विफल: {steps}। ये परिणाम बैंक के IT संपर्क को दें।</translation>
    </message>
    <message>
        <source>✔ No step failed: this station can reach the service.</source>
        <translation>✔ कोई चरण विफल नहीं: यह स्टेशन सेवा तक पहुँच सकता है।</translation>
    </message>
    <message>
        <source>Proxy</source>
        <translation>प्रॉक्सी</translation>
    </message>
    <message>
        <source>Name lookup (DNS)</source>
        <translation>नाम खोज (DNS)</translation>
    </message>
    <message>
        <source>Connection (TCP)</source>
        <translation>कनेक्शन (TCP)</translation>
    </message>
    <message>
        <source>Secure connection (TLS)</source>
        <translation>सुरक्षित कनेक्शन (TLS)</translation>
    </message>
    <message>
        <source>Credit balance</source>
        <translation>क्रेडिट बैलेंस</translation>
    </message>
</context>
<context>
    <name>Overlay</name>
    <message>
        <source>live {live} · anti-spoof {antispoof} · det {detection}</source>
        <translation>जीवित {live} · एंटी-स्पूफ़ {antispoof} · पहचान {detection}</translation>
    </message>
</context>
<context>
    <name>PinDialog</name>
    <message>
        <source>Wrong PIN: {count} try left</source>
        <translation>ग़लत पिन: {count} मौक़ा बाक़ी</translation>
    </message>
    <message>
        <source>Wrong PIN: {count} tries left</source>
        <translation>ग़लत पिन: {count} मौक़े बाक़ी</translation>
    </message>
    <message>
        <source>Supervisor PIN</source>
        <translation>सुपरवाइज़र पिन</translation>
    </message>
    <message>
        <source>Administrator PIN</source>
        <translation>एडमिनिस्ट्रेटर पिन</translation>
    </message>
    <message>
        <source>A supervisor&apos;s PIN is needed to {action}.</source>
        <translation>{action} के लिए सुपरवाइज़र का पिन चाहिए।</translation>
    </message>
    <message>
        <source>The administrator PIN is needed to {action}.</source>
        <translation>{action} के लिए एडमिनिस्ट्रेटर पिन चाहिए।</translation>
    </message>
    <message>
        <source>Supervisor id</source>
        <translation>सुपरवाइज़र आईडी</translation>
    </message>
    <message>
        <source>PIN error</source>
        <translation>पिन में गड़बड़ी</translation>
    </message>
    <message>
        <source>Confirm PIN</source>
        <translation>पिन की पुष्टि करें</translation>
    </message>
    <message>
        <source>Supervisor &amp;id:</source>
        <translation>सुपरवाइज़र आईडी (&amp;I):</translation>
    </message>
    <message>
        <source>&amp;PIN:</source>
        <translation>पिन (&amp;P):</translation>
    </message>
    <message>
        <source>Enter the supervisor&apos;s id.</source>
        <translation>सुपरवाइज़र की आईडी डालें।</translation>
    </message>
    <message>
        <source>Enter the PIN.</source>
        <translation>पिन डालें।</translation>
    </message>
    <message>
        <source>The PIN cannot be checked: {problem}</source>
        <translation>पिन जाँचा नहीं जा सकता: {problem}</translation>
    </message>
</context>
<context>
    <name>Preview</name>
    <message>
        <source>Captured picture</source>
        <translation>ली गई फ़ोटो</translation>
    </message>
    <message>
        <source>No camera</source>
        <translation>कैमरा नहीं</translation>
    </message>
    <message>
        <source>{camera} · {fps} fps</source>
        <translation>{camera} · {fps} fps</translation>
    </message>
    <message>
        <source>Camera preview</source>
        <translation>कैमरे का दृश्य</translation>
    </message>
    <message>
        <source>Live camera picture, or the captured picture with faces outlined.</source>
        <translation>कैमरे की चालू तस्वीर, या ली गई फ़ोटो जिसमें चेहरे घेरे गए हैं।</translation>
    </message>
</context>
<context>
    <name>QPlatformTheme</name>
    <message>
        <source>OK</source>
        <translation>ठीक है</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>रद्द करें</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>बंद करें</translation>
    </message>
</context>
<context>
    <name>Refusal</name>
    <message>
        <source>Review not recorded: the supervisor&apos;s PIN was not given.</source>
        <translation>जाँच दर्ज नहीं हुई: सुपरवाइज़र का पिन नहीं दिया गया।</translation>
    </message>
    <message>
        <source>Review not recorded: a supervisor cannot settle a review of their own attempt.</source>
        <translation>जाँच दर्ज नहीं हुई: सुपरवाइज़र अपने ही प्रयास की जाँच नहीं कर सकते।</translation>
    </message>
    <message>
        <source>Review not recorded: the supervisor&apos;s id or PIN is wrong.</source>
        <translation>जाँच दर्ज नहीं हुई: सुपरवाइज़र की आईडी या पिन गलत है।</translation>
    </message>
    <message>
        <source>Review not recorded: there is no REVIEW waiting for this customer.</source>
        <translation>जाँच दर्ज नहीं हुई: इस ग्राहक की कोई जाँच (REVIEW) बाकी नहीं है।</translation>
    </message>
    <message>
        <source>Review not recorded: no supervisor&apos;s PIN can be checked on this station. Call IT.</source>
        <translation>जाँच दर्ज नहीं हुई: इस स्टेशन पर किसी सुपरवाइज़र का पिन जाँचा नहीं जा सकता। IT को बुलाएँ।</translation>
    </message>
    <message>
        <source>A verification is in progress. Wait for it, or press Esc to cancel it.</source>
        <translation>सत्यापन चल रहा है। पूरा होने दें, या रद्द करने के लिए Esc दबाएँ।</translation>
    </message>
    <message>
        <source>A supervisor must confirm or reject the REVIEW before the next customer.</source>
        <translation>अगले ग्राहक से पहले सुपरवाइज़र इस जाँच की पुष्टि करें या अस्वीकार करें।</translation>
    </message>
    <message>
        <source>This customer&apos;s verification is complete. Press Enter for the next customer.</source>
        <translation>इस ग्राहक का सत्यापन पूरा हो गया। अगले ग्राहक के लिए Enter दबाएँ।</translation>
    </message>
    <message>
        <source>No more attempts for this customer: follow the branch&apos;s manual identity check. Press Enter for the next customer.</source>
        <translation>इस ग्राहक के लिए और प्रयास नहीं: शाखा की मैनुअल पहचान जाँच करें। अगले ग्राहक के लिए Enter दबाएँ।</translation>
    </message>
    <message>
        <source>No camera picture yet. Check that the camera is connected, then try again.</source>
        <translation>कैमरे से अभी तस्वीर नहीं आई। देखें कि कैमरा जुड़ा है, फिर कोशिश करें।</translation>
    </message>
    <message>
        <source>Read the notice to the customer first. F7: they agree. F8: they refuse.</source>
        <translation>पहले ग्राहक को सूचना पढ़कर सुनाएँ। F7: सहमत हैं। F8: मना करते हैं।</translation>
    </message>
    <message>
        <source>Wait until the live picture is back, then capture.</source>
        <translation>लाइव तस्वीर वापस आने तक रुकें, फिर फ़ोटो लें।</translation>
    </message>
    <message>
        <source>The station is not configured.</source>
        <translation>स्टेशन की सेटिंग नहीं हुई है।</translation>
    </message>
    <message>
        <source>{problem} Wait until the live picture is back, then capture.</source>
        <translation>{problem} कैमरे की तस्वीर वापस आने तक रुकें, फिर फ़ोटो लें।</translation>
    </message>
    <message>
        <source>The camera setting cannot be used: {error}</source>
        <translation>कैमरे की सेटिंग इस्तेमाल नहीं की जा सकती: {error}</translation>
    </message>
    <message>
        <source>A picture or a video, not a live camera: verification refused. Call IT.</source>
        <translation>फ़ोटो या वीडियो है, लाइव कैमरा नहीं: सत्यापन अस्वीकार। IT को बुलाएँ।</translation>
    </message>
    <message>
        <source>The camera {name} is a virtual camera ({reason}): it can show any picture, so verification is refused. Connect the counter&apos;s camera, or call IT.</source>
        <translation>कैमरा {name} एक वर्चुअल कैमरा है ({reason}): यह कोई भी तस्वीर दिखा सकता है, इसलिए सत्यापन अस्वीकार है। काउंटर का कैमरा जोड़ें, या IT को बुलाएँ।</translation>
    </message>
    <message>
        <source>The station cannot tell which camera {name} is (no USB id), and only the bank&apos;s approved cameras may be used: verification is refused. Call IT.</source>
        <translation>स्टेशन पहचान नहीं सकता कि कैमरा {name} कौन-सा है (कोई USB id नहीं), और केवल बैंक के स्वीकृत कैमरे ही इस्तेमाल हो सकते हैं: सत्यापन अस्वीकार है। IT को बुलाएँ।</translation>
    </message>
    <message>
        <source>The camera {name} is not one of the bank&apos;s approved cameras: verification is refused. Call IT to approve it.</source>
        <translation>कैमरा {name} बैंक के स्वीकृत कैमरों में से नहीं है: सत्यापन अस्वीकार है। इसे स्वीकृत कराने के लिए IT को बुलाएँ।</translation>
    </message>
    <message>
        <source>The station service is not running. Call IT support.</source>
        <translation>स्टेशन सेवा नहीं चल रही है। IT सहायता को बुलाएँ।</translation>
    </message>
    <message>
        <source>The station service has not answered yet.</source>
        <translation>स्टेशन सेवा ने अभी तक जवाब नहीं दिया है।</translation>
    </message>
    <message>
        <source>This account may not use the station service. Call IT support.</source>
        <translation>यह खाता स्टेशन सेवा का उपयोग नहीं कर सकता। IT सहायता को बुलाएँ।</translation>
    </message>
</context>
<context>
    <name>Settings</name>
    <message>
        <source>Fixed by a development override ({variable} or the command line).</source>
        <translation>डेवलपमेंट बदलाव से तय ({variable} या कमांड लाइन)।</translation>
    </message>
    <message>
        <source>Set by your organisation ({source}): it cannot be changed here.</source>
        <translation>आपके संगठन ने तय किया है ({source}): यहाँ नहीं बदला जा सकता।</translation>
    </message>
    <message>
        <source>Chosen by machine policy: it cannot be changed here.</source>
        <translation>मशीन पॉलिसी से तय: यहाँ नहीं बदला जा सकता।</translation>
    </message>
    <message>
        <source>On this station IT sets paths by machine policy.</source>
        <translation>इस स्टेशन पर पाथ IT मशीन पॉलिसी से तय करता है।</translation>
    </message>
    <message>
        <source>Station settings</source>
        <translation>स्टेशन की सेटिंग्स</translation>
    </message>
    <message>
        <source>Most settings here decide what counts as a live person, where customers&apos; faces go or what evidence is kept: changing them needs the administrator PIN. Settings your organisation sets by policy are greyed out.</source>
        <translation>यहाँ की ज़्यादातर सेटिंग्स तय करती हैं कि किसे जीवित व्यक्ति माना जाए, ग्राहकों के चेहरे कहाँ भेजे जाएँ और कौन-सा सबूत रखा जाए: इन्हें बदलने के लिए एडमिनिस्ट्रेटर पिन चाहिए। जो सेटिंग्स आपके संगठन ने नीति से तय की हैं, वे धुंधली दिखती हैं।</translation>
    </message>
    <message>
        <source>Settings problems</source>
        <translation>सेटिंग्स में समस्याएँ</translation>
    </message>
    <message>
        <source>&amp;Network check…</source>
        <translation>नेटवर्क जाँच (&amp;N)…</translation>
    </message>
    <message>
        <source>Network check</source>
        <translation>नेटवर्क जाँच</translation>
    </message>
    <message>
        <source>{setting}: problem</source>
        <translation>{setting}: समस्या</translation>
    </message>
    <message>
        <source>Detected cameras</source>
        <translation>मिले कैमरे</translation>
    </message>
    <message>
        <source>Detected cameras…</source>
        <translation>मिले कैमरे…</translation>
    </message>
    <message>
        <source>Sample picture (demo)</source>
        <translation>नमूना फ़ोटो (डेमो)</translation>
    </message>
    <message>
        <source>Look again</source>
        <translation>फिर से खोजें</translation>
    </message>
    <message>
        <source>Look for cameras again</source>
        <translation>कैमरे फिर से खोजें</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>चुनें…</translation>
    </message>
    <message>
        <source>Choose the {setting}</source>
        <translation>{setting} चुनें</translation>
    </message>
    <message>
        <source>Choose the CA bundle</source>
        <translation>CA बंडल चुनें</translation>
    </message>
    <message>
        <source>PEM certificates (*.pem *.crt *.cer);;All files (*)</source>
        <translation>PEM प्रमाणपत्र (*.pem *.crt *.cer);;सभी फ़ाइलें (*)</translation>
    </message>
    <message>
        <source>Choose the audit journal file</source>
        <translation>ऑडिट जर्नल फ़ाइल चुनें</translation>
    </message>
    <message>
        <source>Audit journal (*.sqlite3 *.db);;All files (*)</source>
        <translation>ऑडिट जर्नल (*.sqlite3 *.db);;सभी फ़ाइलें (*)</translation>
    </message>
    <message>
        <source>Looking for cameras…</source>
        <translation>कैमरे खोज रहे हैं…</translation>
    </message>
    <message>
        <source>Camera {index}: {name}</source>
        <translation>कैमरा {index}: {name}</translation>
    </message>
    <message>
        <source>Detected cameras ({count})…</source>
        <translation>मिले कैमरे ({count})…</translation>
    </message>
    <message>
        <source>No camera found</source>
        <translation>कोई कैमरा नहीं मिला</translation>
    </message>
    <message>
        <source>{count} setting needs attention</source>
        <translation>{count} सेटिंग पर ध्यान दें</translation>
    </message>
    <message>
        <source>{count} settings need attention</source>
        <translation>{count} सेटिंग्स पर ध्यान दें</translation>
    </message>
    <message>
        <source>(shown next to each field).</source>
        <translation>(हर सेटिंग के पास दिखाया गया है)।</translation>
    </message>
    <message>
        <source>The administrator PIN is needed to change {settings}. Nothing was changed.</source>
        <translation>{settings} बदलने के लिए एडमिनिस्ट्रेटर पिन चाहिए। कुछ नहीं बदला गया।</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>कैमरा</translation>
    </message>
    <message>
        <source>Environment</source>
        <translation>माहौल (सैंडबॉक्स/प्रोडक्शन)</translation>
    </message>
    <message>
        <source>Service address (override)</source>
        <translation>सेवा का पता (बदला हुआ)</translation>
    </message>
    <message>
        <source>Liveness threshold</source>
        <translation>जीवित होने की सीमा</translation>
    </message>
    <message>
        <source>Minimum face detection score</source>
        <translation>चेहरा पहचानने का न्यूनतम स्कोर</translation>
    </message>
    <message>
        <source>Review band upper edge</source>
        <translation>जाँच दायरे की ऊपरी सीमा</translation>
    </message>
    <message>
        <source>Several faces in view</source>
        <translation>कई चेहरे दिखें तो</translation>
    </message>
    <message>
        <source>JPEG quality</source>
        <translation>JPEG गुणवत्ता</translation>
    </message>
    <message>
        <source>Check picture quality before sending</source>
        <translation>भेजने से पहले फ़ोटो की गुणवत्ता जाँचें</translation>
    </message>
    <message>
        <source>Connect timeout (seconds)</source>
        <translation>कनेक्ट होने की समय-सीमा (सेकंड)</translation>
    </message>
    <message>
        <source>Read timeout (seconds)</source>
        <translation>जवाब की समय-सीमा (सेकंड)</translation>
    </message>
    <message>
        <source>Deadline per verification (seconds)</source>
        <translation>हर सत्यापन की कुल समय-सीमा (सेकंड)</translation>
    </message>
    <message>
        <source>Attempts per verification</source>
        <translation>हर सत्यापन में प्रयास</translation>
    </message>
    <message>
        <source>Proxy</source>
        <translation>प्रॉक्सी</translation>
    </message>
    <message>
        <source>Extra CA bundle (PEM file)</source>
        <translation>अतिरिक्त CA बंडल (PEM फ़ाइल)</translation>
    </message>
    <message>
        <source>Audit journal file</source>
        <translation>ऑडिट जर्नल फ़ाइल</translation>
    </message>
    <message>
        <source>Keep audit records (days)</source>
        <translation>ऑडिट रिकॉर्ड रखें (दिन)</translation>
    </message>
    <message>
        <source>Station id</source>
        <translation>स्टेशन आईडी</translation>
    </message>
    <message>
        <source>Kiosk mode (full screen)</source>
        <translation>कियोस्क मोड (पूरी स्क्रीन)</translation>
    </message>
    <message>
        <source>Minimum anti-spoof score</source>
        <translation>न्यूनतम एंटी-स्पूफ़ स्कोर</translation>
    </message>
    <message>
        <source>Attempts per customer</source>
        <translation>हर ग्राहक के प्रयास</translation>
    </message>
    <message>
        <source>Clear a verdict after (seconds)</source>
        <translation>परिणाम इतने समय बाद हटाएँ (सेकंड)</translation>
    </message>
    <message>
        <source>Times the operator may keep a verdict longer</source>
        <translation>ऑपरेटर कितनी बार निर्णय को अधिक समय तक रख सकते हैं</translation>
    </message>
    <message>
        <source>A review must be settled before the next customer</source>
        <translation>अगले ग्राहक से पहले जाँच का निपटारा ज़रूरी</translation>
    </message>
    <message>
        <source>Allow a picture or a video as the camera (training only)</source>
        <translation>कैमरे की जगह फ़ोटो या वीडियो चलने दें (सिर्फ़ प्रशिक्षण)</translation>
    </message>
    <message>
        <source>Capture by itself when ready for (seconds)</source>
        <translation>इतनी देर तैयार रहने पर अपने-आप फ़ोटो (सेकंड)</translation>
    </message>
    <message>
        <source>Ask the customer&apos;s consent before the first capture</source>
        <translation>पहली फ़ोटो से पहले ग्राहक की सहमति लें</translation>
    </message>
    <message>
        <source>Consent notice version</source>
        <translation>सहमति सूचना का संस्करण</translation>
    </message>
    <message>
        <source>Consent notice (the bank&apos;s own text)</source>
        <translation>सहमति सूचना (बैंक का अपना पाठ)</translation>
    </message>
    <message>
        <source>Ship the journal to</source>
        <translation>जर्नल यहाँ भेजें</translation>
    </message>
    <message>
        <source>Syslog relay host</source>
        <translation>Syslog रिले होस्ट</translation>
    </message>
    <message>
        <source>Syslog relay port (TLS)</source>
        <translation>Syslog रिले पोर्ट (TLS)</translation>
    </message>
    <message>
        <source>Relay CA bundle (PEM file)</source>
        <translation>रिले का CA बंडल (PEM फ़ाइल)</translation>
    </message>
    <message>
        <source>Station certificate for the relay (PEM)</source>
        <translation>रिले के लिए स्टेशन का प्रमाणपत्र (PEM)</translation>
    </message>
    <message>
        <source>Its private key (PEM)</source>
        <translation>उसकी निजी कुंजी (PEM)</translation>
    </message>
    <message>
        <source>Record format</source>
        <translation>रिकॉर्ड का फ़ॉर्मैट</translation>
    </message>
    <message>
        <source>Resend window after a reconnect (seconds)</source>
        <translation>दोबारा जुड़ने पर फिर से भेजने की अवधि (सेकंड)</translation>
    </message>
    <message>
        <source>Longest wait between reconnections (seconds)</source>
        <translation>दोबारा जुड़ने के बीच सबसे लंबा इंतज़ार (सेकंड)</translation>
    </message>
    <message>
        <source>Heartbeat every (seconds)</source>
        <translation>हार्टबीट हर (सेकंड)</translation>
    </message>
    <message>
        <source>Spool folder for a log forwarder</source>
        <translation>लॉग फ़ॉरवर्डर के लिए स्पूल फ़ोल्डर</translation>
    </message>
    <message>
        <source>Fleet-health file (.prom)</source>
        <translation>फ़्लीट-स्वास्थ्य फ़ाइल (.prom)</translation>
    </message>
    <message>
        <source>Warn when unshipped for (seconds)</source>
        <translation>इतनी देर न भेजे जाने पर चेतावनी (सेकंड)</translation>
    </message>
    <message>
        <source>Screen language (operators may choose their own)</source>
        <translation>स्क्रीन की भाषा (ऑपरेटर अपनी चुन सकते हैं)</translation>
    </message>
    <message>
        <source>Customer languages, F2 order (e.g. hi,en)</source>
        <translation>ग्राहक की भाषाएँ, F2 का क्रम (जैसे hi,en)</translation>
    </message>
    <message>
        <source>Sandbox (tests; no real customers)</source>
        <translation>सैंडबॉक्स (परीक्षण; असली ग्राहक नहीं)</translation>
    </message>
    <message>
        <source>Production (real customers; uses credits)</source>
        <translation>प्रोडक्शन (असली ग्राहक; क्रेडिट ख़र्च होते हैं)</translation>
    </message>
    <message>
        <source>On a production station (the default)</source>
        <translation>प्रोडक्शन स्टेशन पर (डिफ़ॉल्ट)</translation>
    </message>
    <message>
        <source>Always</source>
        <translation>हमेशा</translation>
    </message>
    <message>
        <source>Never (the bank asks for consent another way)</source>
        <translation>कभी नहीं (बैंक सहमति दूसरे तरीक़े से लेता है)</translation>
    </message>
    <message>
        <source>Nowhere (shipping off)</source>
        <translation>कहीं नहीं (भेजना बंद)</translation>
    </message>
    <message>
        <source>The bank&apos;s syslog relay (TLS)</source>
        <translation>बैंक का syslog रिले (TLS)</translation>
    </message>
    <message>
        <source>The bank&apos;s relay, acknowledged (RELP over TLS)</source>
        <translation>बैंक का रिले, पावती सहित (TLS पर RELP)</translation>
    </message>
    <message>
        <source>A spool folder a log forwarder tails</source>
        <translation>स्पूल फ़ोल्डर, जिसे लॉग फ़ॉरवर्डर पढ़ता है</translation>
    </message>
    <message>
        <source>JSON (Splunk, Elastic, QRadar)</source>
        <translation>JSON (Splunk, Elastic, QRadar)</translation>
    </message>
    <message>
        <source>CEF (ArcSight, Sentinel)</source>
        <translation>CEF (ArcSight, Sentinel)</translation>
    </message>
    <message>
        <source>Ask for one person in frame</source>
        <translation>फ़्रेम में एक ही व्यक्ति रखने को कहें</translation>
    </message>
    <message>
        <source>Operator picks the customer&apos;s face</source>
        <translation>ऑपरेटर ग्राहक का चेहरा चुने</translation>
    </message>
    <message>
        <source>Service</source>
        <translation>सेवा</translation>
    </message>
    <message>
        <source>Decision</source>
        <translation>निर्णय</translation>
    </message>
    <message>
        <source>Customer session</source>
        <translation>ग्राहक सत्र</translation>
    </message>
    <message>
        <source>Capture</source>
        <translation>फ़ोटो</translation>
    </message>
    <message>
        <source>Network</source>
        <translation>नेटवर्क</translation>
    </message>
    <message>
        <source>Audit</source>
        <translation>ऑडिट</translation>
    </message>
    <message>
        <source>Consent</source>
        <translation>सहमति</translation>
    </message>
    <message>
        <source>Station</source>
        <translation>स्टेशन</translation>
    </message>
    <message>
        <source>Languages</source>
        <translation>भाषाएँ</translation>
    </message>
    <message>
        <source>Fleet shipping</source>
        <translation>फ़्लीट को भेजना</translation>
    </message>
    <message>
        <source>empty = the environment&apos;s own address</source>
        <translation>ख़ाली = उस माहौल का अपना पता</translation>
    </message>
    <message>
        <source>empty = no review band</source>
        <translation>ख़ाली = कोई जाँच दायरा नहीं</translation>
    </message>
    <message>
        <source>empty = the system&apos;s proxy settings, if any</source>
        <translation>ख़ाली = सिस्टम की प्रॉक्सी सेटिंग्स, अगर हों</translation>
    </message>
    <message>
        <source>empty = the operating system&apos;s trusted CAs only</source>
        <translation>ख़ाली = सिर्फ़ ऑपरेटिंग सिस्टम के भरोसेमंद CA</translation>
    </message>
    <message>
        <source>e.g. syslog-relay.bank.example</source>
        <translation>जैसे syslog-relay.bank.example</translation>
    </message>
    <message>
        <source>empty = no client certificate</source>
        <translation>ख़ाली = कोई क्लाइंट प्रमाणपत्र नहीं</translation>
    </message>
    <message>
        <source>for the jsonl target only</source>
        <translation>सिर्फ़ jsonl के लिए</translation>
    </message>
    <message>
        <source>empty = no fleet-health file</source>
        <translation>ख़ाली = कोई फ़्लीट-स्वास्थ्य फ़ाइल नहीं</translation>
    </message>
    <message>
        <source>empty = the station&apos;s own notice</source>
        <translation>ख़ाली = स्टेशन की अपनी सूचना</translation>
    </message>
    <message>
        <source>empty = the service&apos;s verdict alone</source>
        <translation>ख़ाली = सिर्फ़ सेवा का निर्णय</translation>
    </message>
    <message>
        <source>empty = off: the operator presses Space</source>
        <translation>ख़ाली = बंद: ऑपरेटर Space दबाते हैं</translation>
    </message>
    <message>
        <source>change the settings</source>
        <translation>सेटिंग्स बदलने</translation>
    </message>
    <message>
        <source>{first} and {last}</source>
        <translation>{first} और {last}</translation>
    </message>
    <message>
        <source>change {settings}</source>
        <translation>{settings} बदलने</translation>
    </message>
</context>
<context>
    <name>SignIn</name>
    <message>
        <source>Enter your operator id.</source>
        <translation>अपनी ऑपरेटर आईडी डालें।</translation>
    </message>
    <message>
        <source>The operator id must have at most {count} characters.</source>
        <translation>ऑपरेटर आईडी में ज़्यादा से ज़्यादा {count} अक्षर हो सकते हैं।</translation>
    </message>
    <message>
        <source>The operator id may only contain letters, digits, &apos;-&apos;, &apos;_&apos; and &apos;.&apos;.</source>
        <translation>ऑपरेटर आईडी में सिर्फ़ अंग्रेज़ी अक्षर, अंक, &apos;-&apos;, &apos;_&apos; और &apos;.&apos; हो सकते हैं।</translation>
    </message>
    <message>
        <source>Operator sign-in</source>
        <translation>ऑपरेटर साइन इन</translation>
    </message>
    <message>
        <source>Start of shift at station {station}: enter your operator id. It is written into the audit record of every verification you make.</source>
        <translation>स्टेशन {station} पर शिफ़्ट की शुरुआत: अपनी ऑपरेटर आईडी डालें। आपके हर सत्यापन के ऑडिट रिकॉर्ड में यह लिखी जाती है।</translation>
    </message>
    <message>
        <source>Start of shift: enter your operator id. It is written into the audit record of every verification you make.</source>
        <translation>शिफ़्ट की शुरुआत: अपनी ऑपरेटर आईडी डालें। आपके हर सत्यापन के ऑडिट रिकॉर्ड में यह लिखी जाती है।</translation>
    </message>
    <message>
        <source>Operator id</source>
        <translation>ऑपरेटर आईडी</translation>
    </message>
    <message>
        <source>e.g. j.smith</source>
        <translation>जैसे r.sharma</translation>
    </message>
    <message>
        <source>Sign-in error</source>
        <translation>साइन इन में गड़बड़ी</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>साइन इन करें</translation>
    </message>
    <message>
        <source>&amp;Operator id:</source>
        <translation>ऑपरेटर आईडी (&amp;O):</translation>
    </message>
</context>
<context>
    <name>Tokens</name>
    <message>
        <source>Enrol a token</source>
        <translation>टोकन दर्ज करें</translation>
    </message>
    <message>
        <source>The {environment} token (not shown while typed):</source>
        <translation>{environment} टोकन (टाइप करते समय नहीं दिखेगा):</translation>
    </message>
    <message>
        <source>Sandbox</source>
        <translation>सैंडबॉक्स</translation>
    </message>
    <message>
        <source>Production</source>
        <translation>प्रोडक्शन</translation>
    </message>
    <message>
        <source>Service tokens</source>
        <translation>सेवा टोकन</translation>
    </message>
    <message>
        <source>Tokens are kept in the operating system&apos;s keyring, never in a file. A token set by an environment variable takes precedence. Setting or clearing a token needs the administrator PIN.</source>
        <translation>टोकन ऑपरेटिंग सिस्टम के कीरिंग में रखे जाते हैं, किसी फ़ाइल में कभी नहीं। एनवायरनमेंट वेरिएबल से दिया गया टोकन पहले माना जाता है। टोकन दर्ज करने या हटाने के लिए एडमिनिस्ट्रेटर पिन चाहिए।</translation>
    </message>
    <message>
        <source>Token message</source>
        <translation>टोकन संदेश</translation>
    </message>
    <message>
        <source>Not read yet</source>
        <translation>अभी पढ़ा नहीं गया</translation>
    </message>
    <message>
        <source>{environment} token status</source>
        <translation>{environment} टोकन की स्थिति</translation>
    </message>
    <message>
        <source>{environment} token warning</source>
        <translation>{environment} टोकन की चेतावनी</translation>
    </message>
    <message>
        <source>Set token…</source>
        <translation>टोकन दर्ज करें…</translation>
    </message>
    <message>
        <source>Set the {environment} token</source>
        <translation>{environment} टोकन दर्ज करें</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>हटाएँ</translation>
    </message>
    <message>
        <source>Clear the {environment} token</source>
        <translation>{environment} टोकन हटाएँ</translation>
    </message>
    <message>
        <source>change the {environment} service token</source>
        <translation>{environment} सेवा टोकन बदलने</translation>
    </message>
    <message>
        <source>The administrator PIN was not given: the token was not changed.</source>
        <translation>एडमिनिस्ट्रेटर पिन नहीं दिया गया: टोकन नहीं बदला गया।</translation>
    </message>
    <message>
        <source>No token given: nothing stored.</source>
        <translation>कोई टोकन नहीं दिया गया: कुछ सेव नहीं हुआ।</translation>
    </message>
    <message>
        <source>{problem}: nothing stored.</source>
        <translation>{problem}: कुछ सेव नहीं हुआ।</translation>
    </message>
    <message>
        <source>The {environment} token is stored in the OS keyring.</source>
        <translation>{environment} टोकन OS कीरिंग में सेव हो गया।</translation>
    </message>
    <message>
        <source>remove the {environment} service token</source>
        <translation>{environment} सेवा टोकन हटाने</translation>
    </message>
    <message>
        <source>The {environment} token was removed from the OS keyring.</source>
        <translation>{environment} टोकन OS कीरिंग से हटा दिया गया।</translation>
    </message>
    <message>
        <source>No {environment} token in the OS keyring: nothing to clear.</source>
        <translation>OS कीरिंग में {environment} टोकन नहीं है: हटाने को कुछ नहीं।</translation>
    </message>
    <message>
        <source>{problem}: nothing stored</source>
        <translation>{problem}: कुछ सेव नहीं हुआ</translation>
    </message>
    <message>
        <source>{problem}: nothing changed</source>
        <translation>{problem}: कुछ नहीं बदला</translation>
    </message>
</context>
<context>
    <name>Verdict</name>
    <message>
        <source>Live person confirmed. Continue with the customer.</source>
        <translation>जीवित व्यक्ति की पुष्टि हुई। आगे बढ़ें।</translation>
    </message>
    <message>
        <source>Liveness not confirmed. Try once more, then the manual identity check.</source>
        <translation>पुष्टि नहीं हुई। एक बार और कोशिश करें, फिर मैनुअल पहचान जाँच।</translation>
    </message>
    <message>
        <source>Borderline: a supervisor must confirm or reject.</source>
        <translation>सीमा पर: सुपरवाइज़र पुष्टि या अस्वीकार करेंगे।</translation>
    </message>
    <message>
        <source>No face found. Ask the customer to face the camera.</source>
        <translation>चेहरा नहीं मिला। कृपया कैमरे की ओर देखें।</translation>
    </message>
    <message>
        <source>More than one person in frame. Only the customer in view, please.</source>
        <translation>कैमरे के सामने एक से ज़्यादा लोग हैं। कृपया सिर्फ़ ग्राहक रहें।</translation>
    </message>
    <message>
        <source>Face not clear enough. More light, face the camera, hold still.</source>
        <translation>चेहरा साफ़ नहीं दिखा। रोशनी बढ़ाएँ, कैमरे की ओर देखें, हिलें नहीं।</translation>
    </message>
    <message>
        <source>The picture could not be analysed. Capture again.</source>
        <translation>फ़ोटो की जाँच नहीं हो सकी। दोबारा फ़ोटो लें।</translation>
    </message>
    <message>
        <source>Access refused. Call IT support: the token needs renewing.</source>
        <translation>अनुमति नहीं मिली। IT सहायता को बुलाएँ: टोकन नया करना है।</translation>
    </message>
    <message>
        <source>Service busy. Wait a minute, then capture again.</source>
        <translation>सेवा व्यस्त है। एक मिनट रुककर दोबारा फ़ोटो लें।</translation>
    </message>
    <message>
        <source>Service unavailable. Wait a minute, then capture again.</source>
        <translation>सेवा उपलब्ध नहीं। एक मिनट रुककर दोबारा फ़ोटो लें।</translation>
    </message>
    <message>
        <source>No answer in time. Check the network, then capture again.</source>
        <translation>समय पर जवाब नहीं आया। नेटवर्क देखकर दोबारा फ़ोटो लें।</translation>
    </message>
    <message>
        <source>Secure connection failed. Do not retry; call IT support.</source>
        <translation>सुरक्षित कनेक्शन नहीं बना। दोबारा न करें; IT सहायता को बुलाएँ।</translation>
    </message>
    <message>
        <source>Service not reachable. Check the network, then capture again.</source>
        <translation>सेवा तक नहीं पहुँच सके। नेटवर्क देखकर दोबारा फ़ोटो लें।</translation>
    </message>
    <message>
        <source>Request refused. Capture again; if it repeats, call IT.</source>
        <translation>अनुरोध अस्वीकार हुआ। दोबारा फ़ोटो लें; फिर हो तो IT को बुलाएँ।</translation>
    </message>
    <message>
        <source>Unreadable answer. Capture again; if it repeats, call IT.</source>
        <translation>जवाब पढ़ा नहीं जा सका। दोबारा फ़ोटो लें; फिर हो तो IT को बुलाएँ।</translation>
    </message>
    <message>
        <source>Several faces. Click the customer&apos;s face or press its number.</source>
        <translation>कई चेहरे। ग्राहक के चेहरे पर क्लिक करें या उसका नंबर दबाएँ।</translation>
    </message>
    <message>
        <source>No more attempts. Use the branch&apos;s manual identity check.</source>
        <translation>और प्रयास नहीं। शाखा की मैनुअल पहचान जाँच करें।</translation>
    </message>
    <message>
        <source>Not recorded: do not rely on this result. Call IT support.</source>
        <translation>दर्ज नहीं हुआ: इस परिणाम पर भरोसा न करें। IT सहायता को बुलाएँ।</translation>
    </message>
    <message>
        <source>Not verified. See the details, then capture again.</source>
        <translation>सत्यापन नहीं हुआ। ब्योरा देखकर दोबारा फ़ोटो लें।</translation>
    </message>
    <message>
        <source>Verification cancelled. Press Space to capture again.</source>
        <translation>सत्यापन रद्द हुआ। दोबारा फ़ोटो के लिए Space दबाएँ।</translation>
    </message>
    <message>
        <source>Confirmed live by the supervisor. Continue with the customer.</source>
        <translation>पर्यवेक्षक ने जीवित व्यक्ति की पुष्टि की। ग्राहक का काम आगे बढ़ाएँ।</translation>
    </message>
    <message>
        <source>Rejected by the supervisor. Use the branch&apos;s manual identity check.</source>
        <translation>पर्यवेक्षक ने अस्वीकार किया। शाखा की मैनुअल पहचान जाँच करें।</translation>
    </message>
    <message>
        <source>No supervisor can settle this here. Call IT; use the manual identity check.</source>
        <translation>यहाँ कोई सुपरवाइज़र इसे तय नहीं कर सकता। IT को बुलाएँ; मैनुअल पहचान जाँच करें।</translation>
    </message>
</context>
</TS>
